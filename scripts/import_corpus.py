"""Copy the team corpus (../shared/corpus) into the project: sources/reports/ + sources/manifest.csv, tests/gold/.

Run once when the corpus grows; the project then works from the repository alone.
Usage: python scripts/import_corpus.py [CORPUS_DIR]
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORMATS = {".txt": "text", ".html": "html", ".pdf": "pdf", ".md": "markdown", ".docx": "docx"}
FIELDS = ["file", "sha256", "year", "region", "region_code", "agency", "scope", "level", "format", "script",
          "complete", "duplicate_of", "origin_url", "origin_repository", "origin_path", "origin_commit", "note"]
# Curated by hand and kept across imports: which bundled source is a second copy of another report.
CURATED = ("duplicate_of",)
# Reports this repository may not redistribute: they stay in the corpus (tests read them there), never bundled.
NOT_BUNDLED = {
    "2023_hongze_1": "a PDF from a third-party repository without a licence",
    "2024_hongze_1": "a PDF from a third-party repository without a licence",
}


def main(corpus: Path) -> None:
    reports = ROOT / "sources" / "reports"
    gold_dir = ROOT / "tests" / "gold"
    reports.mkdir(parents=True, exist_ok=True)
    gold_dir.mkdir(parents=True, exist_ok=True)
    manifest = ROOT / "sources" / "manifest.csv"
    curated = {}
    if manifest.exists():
        with open(manifest, newline="", encoding="utf-8") as f:
            curated = {row["file"]: {k: row.get(k, "") for k in CURATED} for row in csv.DictReader(f)}
    corrections_file = gold_dir / "corrections.json"
    corrections = json.loads(corrections_file.read_text(encoding="utf-8")) if corrections_file.exists() else {}
    rows = []
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
        source = next(folder.glob("source.*"))
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if folder.name in NOT_BUNDLED:
            print(f"skipped {folder.name}: {NOT_BUNDLED[folder.name]}")
            continue
        gold = json.loads((folder / "gold.json").read_text(encoding="utf-8")) if (folder / "gold.json").exists() else {}
        target = reports / f"{folder.name}{source.suffix}"
        shutil.copyfile(source, target)
        if gold:
            write_gold(gold, gold_dir / f"{folder.name}.json", corrections.get(folder.name))
        report = gold.get("report", {})
        origin = meta.get("origin", {})
        sha = hashlib.sha256(target.read_bytes()).hexdigest()
        if meta.get("sha256") and meta["sha256"] != sha:
            sys.exit(f"{source}: sha256 differs from meta.json")
        rows.append({
            "file": target.relative_to(ROOT / "sources").as_posix(), "sha256": sha,
            "year": meta.get("year"), "region": meta.get("region"), "region_code": report.get("region_code") or "",
            "agency": report.get("agency") or meta.get("agency"), "scope": report.get("scope", ""),
            "level": meta.get("level", ""), "format": FORMATS[source.suffix],
            "script": meta.get("script", "").split(" ")[0], "complete": meta.get("complete", ""),
            "origin_url": origin.get("url", ""), "origin_repository": origin.get("repository", ""),
            "origin_path": origin.get("path", ""), "origin_commit": origin.get("commit", ""),
            "note": (meta.get("quirks") or "")[:300],
            **curated.get(target.relative_to(ROOT / "sources").as_posix(), {}),
        })
    with open(ROOT / "sources" / "manifest.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} reports -> sources/reports, manifest.csv; gold -> tests/gold")


def write_gold(gold: dict, target: Path, correction: dict | None) -> None:
    """The team's gold file, with this project's hand-checked corrections (tests/gold/corrections.json) applied."""
    if correction:
        removed = correction.get("remove_ambiguous", [])
        gold = dict(gold, ambiguous=[k for k in gold.get("ambiguous", []) if k not in removed])
        if correction.get("unsettled_by_tables"):
            # Gold's values stand, but the tables alone do not settle these cells: flagging them is expected.
            gold["unsettled_by_tables"] = correction["unsettled_by_tables"]
        gold["corrections"] = correction["why"]
    target.write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus")
