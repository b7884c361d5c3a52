"""The folded text stream the aligner searches: all tokens joined by line breaks, mapped back to positions.

`Stream.pieces` reads a value region into pieces: numbers (with their sign, printed as any minus form or as a word
where a sign belongs), not-applicable markers, blank cells of explicit sources and lone decimal points. Noise is
classified first (`noise`): page furniture, running headers, dates, notes and sentences give no piece, and a number
after any text but whitespace is marked `after_text`, so that no rule joins it onto the number before.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace

from opendata.extract.interrupt import note_continues
from opendata.extract.noise import NOTE_START, Noise, is_text
from opendata.model import Document, Piece
from opendata.read.furniture import PAGE_NUMBER
from opendata.fold import fold_lines, is_traditional
from opendata.spec.template import TEMPLATE

# A parenthesised note inside a value cell ("（其中修订 16 件）"): its digits are not a cell value.
_NOTE = re.compile(r"\((?![一二三四五六七八九十]{1,3}\))[^()\n]*[\u4e00-\u9fff][^()\n]*\)")  # not an ordinal "(四)"
# A number with its sign: any minus form (-, −, －, –, —) or plus, or a word (增/增加 +, 减/减少 -) not inside a
# longer run of words. A dash right after a digit is no sign ("257—861" is two numbers, never 257861).
_NUMBER = re.compile(r"(?:(?<![\u4e00-\u9fff])(?P<word>增加|减少|增|减)|(?P<sign>[-+−–—]))?"
                     r"(?P<number>\d+(?:,\d{3})*(?:\.\d+)?(?:\s*(?:万元|元))?)")
_SIGN_WORDS = {"增加": "+", "增": "+", "减少": "-", "减": "-"}
# A number, or a decimal point that lost a side of its number to a break ("279." / "44", "851 . 776247").
_NUMBER_OR_POINT = re.compile(_NUMBER.pattern + r"|\.")
_TEXT_BETWEEN = re.compile(r"\S")
_GAP = re.compile(r"\s*")
# A row label's ordinal ("5.要求…", "无2.没有…", "1、本机关…"): a number followed by an ordinal mark and Chinese text.
_ORDINAL_AFTER = re.compile(r"[.、][\u4e00-\u9fff]")
# A table cell's ref names its row: "L12/c3" (Markdown), "t2/r5/c3" (HTML, docx), "p4/t1/r5/c3" (PDF); a range
# inside a long token may follow (":c1-9").
_CELL_REF = re.compile(r"^(?P<row>.+)/c\d+(?::c\d+-\d+)?$")


def _blanked(m: re.Match) -> str:
    return " " * len(m.group(0))


def source_row(ref: str) -> str | None:
    """The table row a cell's ref names ("L12/c3" -> "L12"); None for a token that is no table cell (a line)."""
    m = _CELL_REF.match(ref)
    return m.group("row") if m else None


class Stream:
    def __init__(self, doc: Document):
        self.doc = doc
        texts = [t.text for t in doc.tokens]
        self.traditional = is_traditional("\n".join(texts))
        lines = fold_lines(texts, self.traditional)  # one line per token
        self.noise = Noise(lines)  # before page numbers are blanked: a bare "3" before "- 4 -" is no page number
        lines = [PAGE_NUMBER.sub(lambda m: " " * len(m.group(0)), line) for line in lines]
        for i in self.noise.repeated_titles:  # a running title is no section heading: "政府信息公开工作…" must not end a table
            lines[i] = " " * len(lines[i])
        self.lines = lines
        self.text = "\n".join(lines)
        self.starts = []
        pos = 0
        for line in lines:
            self.starts.append(pos)
            pos += len(line) + 1

    def token_at(self, pos: int) -> int:
        return bisect_right(self.starts, pos) - 1

    def ref(self, start: int, end: int) -> str:
        """Source position of text[start:end]: the token's ref, plus a character range inside long tokens."""
        return self._ref(self.token_at(start), start, end)

    def _ref(self, i: int, start: int, end: int) -> str:  # `ref` with the token known (no search per piece)
        token = self.doc.tokens[i]
        a, b = start - self.starts[i], end - self.starts[i]
        if a == 0 and b >= len(self.lines[i].rstrip()):
            return token.ref
        return f"{token.ref}:c{a + 1}-{b}"

    def raw(self, start: int, end: int) -> str:
        """Raw source text for text[start:end] (exact where folding kept the token's length)."""
        return self._raw(self.token_at(start), start, end)

    def _raw(self, i: int, start: int, end: int) -> str:
        raw = self.doc.tokens[i].text
        a, b = start - self.starts[i], end - self.starts[i]
        if len(raw) == len(self.lines[i]):
            return raw[a:b]
        return raw.strip() if len(raw) <= 40 else self.text[start:end]

    def pieces(self, start: int, end: int) -> list[Piece]:
        """Numbers, markers and (for explicit-cell sources) blank cells between two label positions; a note ends
        the region (its continuation lines included) unless the region's values go on after it, noise lines give
        nothing."""
        note = NOTE_START.search(self.text, start, end)
        if note and note.start() > start and not note_continues(self.text, note.start(), end):
            end = note.start()
        spans: list[tuple[Piece, int]] = []  # each piece and the end of its text
        pos, first = start, self.token_at(start)  # segment n is line (token) first + n: lines hold no break
        for n, segment in enumerate(self.text[start:end].split("\n")):
            seg_start = pos
            pos += len(segment) + 1
            whole_token = n > 0 and pos - 1 < end  # a complete token, not the tail of a label's token
            noise = self.noise.of(first + n) if whole_token else None
            if noise not in (None, "maybe_page") or (whole_token and is_text(segment)):
                continue  # page furniture, a running header, a date, a sentence: never values
            found = self._segment(segment, first + n, seg_start, whole_token, (start, end))
            spans += [(replace(p, maybe_noise=True), e) for p, e in found] if noise else found
        out = [p for p, _ in spans[:1]]
        for (_, before_end), (piece, _) in zip(spans, spans[1:]):
            after_text = bool(_TEXT_BETWEEN.search(self.text, before_end, piece.at))
            out.append(replace(piece, after_text=True) if after_text else piece)
        return out

    def _segment(self, segment: str, i: int, seg_start: int, whole_token: bool, region: tuple[int, int]
                 ) -> list[tuple[Piece, int]]:
        """The pieces of one line (token `i`) of a region, each with the end of its text."""
        cleaned = _NOTE.sub(_blanked, segment) if "(" in segment else segment  # a note opens with "("
        stripped = cleaned.strip()
        if not stripped:
            if whole_token and self.doc.cells_explicit:
                return [(Piece("blank", "", "", self._ref(i, seg_start, seg_start), True, seg_start), seg_start)]
            return []
        s = seg_start + cleaned.index(stripped)
        if stripped == ".":  # a decimal point on its own line ("851" / "." / "776247"): the solver may join it
            return [(Piece("point", ".", ".", self._ref(i, s, s + 1), True, s), s + 1)]
        if TEMPLATE.is_marker(stripped):
            e = s + len(stripped)
            return [(Piece("marker", stripped, self._raw(i, s, e), self._ref(i, s, e), True, s), e)]
        if stripped.isdigit() and stripped.isascii():  # a plain count alone (most lines): the piece the search gives
            e = s + len(stripped)
            return [(Piece("number", stripped, self._raw(i, s, e), self._ref(i, s, e), True, s), e)]
        out: list[tuple[Piece, int]] = []
        for m in _NUMBER_OR_POINT.finditer(cleaned):
            s, e = seg_start + m.start(), seg_start + m.end()
            if m.group(0) == ".":
                if self._between_digits(s, *region):  # the solver may join it with its digits, no one else
                    out.append((Piece("point", ".", ".", self._ref(i, s, e), not out, s), e))
                continue
            if _ORDINAL_AFTER.match(cleaned, m.end()):
                continue  # the ordinal of a label pushed out of its row, not a value
            out.append((self._number(m, cleaned, i, seg_start, not out), seg_start + m.end()))
        return out

    def _number(self, m: re.Match, line: str, i: int, line_start: int, first: bool) -> Piece:
        """A number piece; its text says its sign as "-"/"+" however printed. A sign right after a digit
        ("2648-18538") starts the next number: never joined onto the one before ("257—861" is never 257861)."""
        word, sign = m.group("word"), m.group("sign")
        mark = _SIGN_WORDS[word] if word else ("+" if sign == "+" else "-") if sign else ""
        s, e = line_start + m.start(), line_start + m.end()
        glued = bool(sign) and m.start() > 0 and line[m.start() - 1].isdigit()
        text = mark + m.group("number").replace(" ", "")
        return Piece("number", text, self._raw(i, s, e), self._ref(i, s, e), first, s, after_text=glued,
                     sign_word=bool(word))

    def _between_digits(self, pos: int, start: int, end: int) -> bool:
        """Is the point at `pos` a decimal point broken from its digits: a digit before and after it, with only
        spaces and line breaks between, inside the region? (A point after a number and before text is not.)"""
        before = self.text[start:pos].rstrip()
        after = _GAP.match(self.text, pos + 1, end)
        return bool(before) and before[-1].isdigit() and after.end() < end and self.text[after.end()].isdigit()
