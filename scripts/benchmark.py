"""Speed and memory of opendata builds, side by side with the obvious alternatives.

  python scripts/benchmark.py --size N [--jobs 1,2] [--dask] [--baseline PATH] [--query-reports M] [--work DIR]

1. Extraction per CPU-second, one format at a time: synthetic flat-text and HTML reports (scripts/synth_corpus.py),
   and every bundled report (sources/) per format.
2. `opendata build` of N synthetic reports (half text, half HTML), each run in its own process tree: wall time,
   reports/s, CPU seconds and cores busy, peak memory of the whole tree (RSS summed over the build and its workers,
   sampled every 0.2 s; PSS beside it, which counts pages shared by forked workers once), for each --jobs value,
   then `--engine dask`, then the same build of an older checkout (--baseline: its `opendata` executable).
3. Rebuild after changing one source (extraction cache warm) vs the full build.
4. Validation and query (scripts/benchmark_query.py, when present: validate vs frictionless, query vs sqlite3).
Figures are ratios against the alternative run on the same machine in the same run; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
OPENDATA = Path(sys.executable).with_name("opendata")


# Extraction per CPU-second ------------------------------------------------------------------------------------------
def extraction_rate(paths: list[Path]) -> float:
    """Reports per CPU-second of this process (read, align, solve, check, rows), after one warm-up report."""
    from opendata.pipeline import Job, extract_rows

    extract_rows(Job(paths[0], None, ROOT))
    t = time.process_time()
    for p in paths:
        extract_rows(Job(p, None, ROOT))
    return len(paths) / (time.process_time() - t)


def bundled_rates() -> dict[str, float]:
    from opendata.extract import manifest
    from opendata.pipeline import extract

    per_format: dict[str, list[float]] = defaultdict(list)
    for path, row in sorted(manifest.load(ROOT / "sources" / "manifest.csv").items()):
        t = time.process_time()
        extract(path, row)
        per_format[row["format"]].append(time.process_time() - t)
    return {fmt: len(ts) / sum(ts) for fmt, ts in sorted(per_format.items())}


def region_lookup(n: int) -> dict[str, float]:
    """Seconds per report for the region lookup: opendata's dict index (built once) vs cpca.transform, one
    DataFrame per report (what extraction did before), over the bundled reports' issuing bodies repeated to n."""
    from opendata.extract.issuer import parse
    from opendata.extract.regions import table

    bodies = ["淮安市洪泽区人民政府", "莆田市审计局", "平潭综合实验区君山片区管理局", "三明市", "上海市科委", "泸州市",
              "沭阳县发展和改革局", "莆田市人民政府办公室"]
    names = [bodies[i % len(bodies)] for i in range(n)]
    t = time.perf_counter()
    table()
    built = time.perf_counter() - t
    t = time.perf_counter()
    for name in names:
        parse(name, set())
    ours = (time.perf_counter() - t) / n
    t = time.perf_counter()
    import cpca

    imported = time.perf_counter() - t
    t = time.perf_counter()
    for name in names:
        cpca.transform([name])
    theirs = (time.perf_counter() - t) / n
    return {"index_build_s": built, "opendata_s": ours, "cpca_import_s": imported, "cpca_transform_s": theirs}


def corpus(work: Path, size: int, html_share: float) -> Path:
    import synth_corpus

    out = work / f"corpus-{size}-{int(html_share * 100)}"
    if not (out / "reports").is_dir() or len(list((out / "reports").iterdir())) != size:
        shutil.rmtree(out, ignore_errors=True)
        synth_corpus.generate(out, size, seed=1, html_share=html_share)
    return out / "reports"


# Process-tree measurement ------------------------------------------------------------------------------------------
def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _memory(pids: list[int]) -> tuple[int, int]:
    """(RSS, PSS) in bytes summed over the processes."""
    rss = pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
        except OSError:
            continue
    return rss, pss


def run_measured(cmd: list[str]) -> dict:
    """Wall time, CPU seconds and peak memory of a command's whole process tree."""
    before = os.times()
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0, 0]

    def sample() -> None:
        while proc.poll() is None:
            rss, pss = _memory(_tree(proc.pid))
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t
    sampler.join()
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err[-2000:]}")
    return {"wall": wall, "cpu": cpu, "rss": peak[0], "pss": peak[1]}


def build_cmd(exe: Path, sources: Path, out: Path, *extra: str) -> list[str]:
    return [str(exe), "build", str(sources), "-o", str(out), *extra]


# Report ---------------------------------------------------------------------------------------------------------------
def row(label: str, size: int, m: dict, base: dict | None = None) -> str:
    ratio = f"{m['wall'] / base['wall']:.2f}" if base else "1.00"
    return (f"| {label} | {m['wall']:.1f} s | {size / m['wall']:.1f} | {m['cpu']:.1f} s | {m['cpu'] / m['wall']:.2f} | "
            f"{m['rss'] / 2**20:.0f} MB | {m['pss'] / 2**20:.0f} MB | {ratio} |")


def builds(args, sources: Path) -> list[str]:
    lines = [f"\n## Build of {args.size:,} synthetic reports (half text, half HTML)\n",
             "| build | wall | reports/s | CPU | cores busy | peak RSS (tree) | peak PSS (tree) | wall vs first |",
             "|---|---|---|---|---|---|---|---|"]
    first = None
    for jobs in args.jobs:
        m = run_measured(build_cmd(OPENDATA, sources, args.work / "pkg", "--no-cache", "-q", "-j", str(jobs)))
        first = first or m
        lines.append(row(f"`opendata build --jobs {jobs}`", args.size, m, first))
        print(lines[-1], flush=True)
    if args.dask:
        m = run_measured(build_cmd(OPENDATA, sources, args.work / "pkg-dask", "--no-cache", "-q", "--engine", "dask"))
        lines.append(row("`opendata build --engine dask` (LocalCluster, 2 workers)", args.size, m, first))
        print(lines[-1], flush=True)
    if args.size >= 5000:  # the same build written flat (one file per resource), as before partitioning
        m = run_measured(build_cmd(OPENDATA, sources, args.work / "pkg-flat", "--no-cache", "-q", "-j",
                                   str(args.jobs[-1]), "--partition-above", str(args.size + 1)))
        lines.append(row(f"flat layout (`--partition-above {args.size + 1}`), --jobs {args.jobs[-1]}", args.size, m,
                         first))
        print(lines[-1], flush=True)
    if args.baseline:
        flags = ["--no-cache", "-q", "-j", str(args.jobs[-1])]  # the same build as the last --jobs row
        m = run_measured(build_cmd(args.baseline, sources, args.work / "pkg-baseline", *flags))
        lines.append(row(f"baseline: `{args.baseline}` (before this change), --jobs {args.jobs[-1]}", args.size, m, first))
        print(lines[-1], flush=True)
    return lines + rebuild(args, sources, first)


def rebuild(args, sources: Path, first: dict) -> list[str]:
    """Full build filling the cache, then one source changed and the package rebuilt, then rebuilt unchanged;
    each against that full build and against the first --no-cache build above."""
    cache = args.work / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    full = run_measured(build_cmd(OPENDATA, sources, args.work / "pkg", "-q", "--cache", str(cache)))
    changed = sorted(sources.glob("*.txt"))[0]
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("本年度未收取信息处理费。", f"本年度未收取信息处理费（{time.time()}）。"), encoding="utf-8")
    again = run_measured(build_cmd(OPENDATA, sources, args.work / "pkg", "-q", "--cache", str(cache)))
    same = run_measured(build_cmd(OPENDATA, sources, args.work / "pkg", "-q", "--cache", str(cache)))
    changed.write_text(text, encoding="utf-8")

    def line(label: str, m: dict) -> str:
        return (f"| {label} | {m['wall']:.1f} s | {m['cpu']:.1f} s | {m['rss'] / 2**20:.0f} MB | "
                f"{m['wall'] / full['wall']:.3f} | {m['wall'] / first['wall']:.3f} |")

    return [f"\n## Rebuild after changing one of {args.size:,} sources (extraction cache warm)\n",
            "| build | wall | CPU | peak RSS (tree) | vs full build with cache | vs first --no-cache build |",
            "|---|---|---|---|---|---|", line("full build, cache filled", full),
            line("rebuild, one source changed", again), line("rebuild, nothing changed", same)]


def extraction(args) -> list[str]:
    lines = ["\n## Extraction per CPU-second (one process)\n", "| input | reports | reports per CPU-second |",
             "|---|---|---|"]
    for label, share in (("synthetic flat text (one cell per line)", 0.0), ("synthetic HTML", 1.0)):
        paths = sorted(corpus(args.work, args.extract_size, share).iterdir())
        lines.append(f"| {label} | {len(paths)} | {extraction_rate(paths):.0f} |")
        print(lines[-1], flush=True)
    for fmt, rate in bundled_rates().items():
        lines.append(f"| bundled sources: {fmt} | | {rate:.1f} |")
    r = region_lookup(args.regions)
    lines.append(f"\n## Region lookup ({args.regions} issuing bodies)\nopendata index: built once in "
                 f"{r['index_build_s']:.3f} s, {r['opendata_s'] * 1e6:.1f} us/report; cpca.transform: import "
                 f"{r['cpca_import_s']:.3f} s, {r['cpca_transform_s'] * 1e6:.1f} us/report "
                 f"(x{r['cpca_transform_s'] / r['opendata_s']:.0f})")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=1000, help="synthetic reports built (size parameter)")
    ap.add_argument("--jobs", type=lambda s: [int(j) for j in s.split(",")], default=[1, 2])
    ap.add_argument("--dask", action="store_true", help="also build with --engine dask")
    ap.add_argument("--baseline", type=Path, help="an older checkout's `opendata` executable, built side by side")
    ap.add_argument("--extract-size", type=int, default=300, help="synthetic reports per format for extraction")
    ap.add_argument("--regions", type=int, default=2000, help="region lookups timed (size parameter)")
    ap.add_argument("--query-reports", type=int, default=0, help="run scripts/benchmark_query.py at this size")
    ap.add_argument("--skip", default="", help="comma list of sections to skip: extraction,build")
    ap.add_argument("--work", type=Path, default=Path("/tmp/opendata-bench"))
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f} at start")
    out = [] if "extraction" in args.skip else extraction(args)
    if "build" not in args.skip:
        out += builds(args, corpus(args.work, args.size, 0.5))
    print("\n".join(out))
    query = ROOT / "scripts" / "benchmark_query.py"
    if args.query_reports and query.exists():
        subprocess.run([sys.executable, str(query), "--reports", str(args.query_reports)], check=False)
    print(f"load average {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    main()
