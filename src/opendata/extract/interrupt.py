"""Text between the values of one region: read through when it is known noise, a cut when it is not.

One rule for tables 二, 三 and 四 (flattened text; explicit-cell sources bind their rows by cells). A line of
words between two values of a region is either
- known noise: a note (注/说明/备注 …, and its continuation lines), a narrative sentence (it carries a sentence
  mark: 。，；！？) or a footer naming the agency (…办公室, …局), like the page furniture, dates and running
  headers `noise.Noise` classifies. Its digits are no values, the values on both sides are read, never joined
  across it (`Piece.after_text`);
- or unclassified: words without a sentence mark (an unknown heading, a label the template does not know). What
  follows it may belong to another row or column, so a region whose values go on after such text is a cut:
  its cells are `unreadable` with a message naming the text, never filled by expanding a run or splitting digits
  from the values before it (the arithmetic would make it look confirmed).
"""

from __future__ import annotations

import re

from opendata.extract.noise import AGENCY, NOTE_START, is_text

_CJK = re.compile(r"[\u4e00-\u9fff]")
# A sentence mark: words carrying one are narrative, not a label or heading (labels print none).
_SENTENCE_MARK = re.compile(r"[。，；！？,;!?]")
# A line holding only a value: a number (any sign, separators, decimals, a unit) or a one-symbol marker.
_VALUE_LINE = re.compile(r"[ \t]*[-+−－—]?\d[\d,.]*[ \t]*(?:万元|元)?[ \t]*|[ \t]*[/／\-—×][ \t]*")


def known_text(line: str) -> bool:
    """Is a line of words known noise (a note, a narrative sentence, a footer naming an agency) rather than
    unclassified text?"""
    s = line.strip()
    return bool(NOTE_START.match(s) or _SENTENCE_MARK.search(s) or AGENCY.search(s))


def read_through(stream, i: int) -> bool:
    """Is line `i` of a stream noise a region's values are read through: page furniture, a date, a running header
    (`noise.Noise`), a note or a narrative sentence?"""
    return stream.noise.of(i) not in (None, "maybe_page") or known_text(stream.lines[i]) or _continues(stream, i)


def _continues(stream, i: int) -> bool:
    """Is line `i` words continuing a note or a sentence begun on a line before (a wrapped sentence, a note's
    second and later lines), with only words between?"""
    if not is_text(stream.lines[i]):
        return False
    for j in range(i - 1, max(-1, i - 6), -1):
        line = stream.lines[j]
        if not line.strip():
            continue
        if not is_text(line):
            return False
        if known_text(line):
            return True
    return False


def is_value_line(line: str) -> bool:
    return bool(_VALUE_LINE.fullmatch(line))


def note_continues(text: str, note_at: int, end: int) -> bool:
    """A note starting a line between a region's values: do value lines follow its lines (words only) before
    `end`? Then it is read through like a sentence; otherwise it ends the region (a note under a table)."""
    line_start = text.rfind("\n", 0, note_at) + 1
    if text[line_start:note_at].strip():
        return False  # a note after values on their own line: it ends the region
    nxt = text.find("\n", note_at, end)
    while nxt != -1:
        line_end = text.find("\n", nxt + 1, end)
        line = text[nxt + 1:line_end if line_end != -1 else end]
        if is_value_line(line):
            return True
        if line.strip() and not is_text(line):
            return False  # a line with digits among words: not a value line, the note's own text
        nxt = line_end
    return False


def cut_by_text(stream, start: int, end: int) -> str | None:
    """Why the values of the region `start`..`end` of a stream cannot be placed: they go on after unclassified text
    that stands between two of them. None when nothing cuts them."""
    after_label = stream.text.find("\n", start, end)
    if after_label == -1 or not _CJK.search(stream.text, after_label, end):
        return None  # no line of words after the label's line: nothing can cut the values
    first, last = stream.token_at(start), stream.token_at(max(start, end - 1))
    seen_value, in_known, cut = False, False, None
    for i in range(first, last + 1):
        line = stream.lines[i]
        if i == first:
            line = line[start - stream.starts[i]:]  # the tail of a label's token: its values count
            seen_value = any(ch.isdigit() for ch in line)
            continue
        if not line.strip() or stream.noise.of(i) not in (None, "maybe_page"):
            continue
        if is_text(line):
            in_known = in_known or known_text(line)  # a note or a sentence, and the lines continuing it
            if seen_value and cut is None and not in_known:
                cut = line.strip()
            continue
        if is_value_line(line):
            if cut is not None:
                return (f"its values are interrupted by text ({cut[:20]!r}) and go on after it ({line.strip()!r}): "
                        "their places cannot be established")
            seen_value, in_known = True, False
    return None
