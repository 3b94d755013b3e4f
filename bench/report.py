"""Runs every benchmark (bench/[!_]*.py but this one and scripts that print no ROW line), each in a
subprocess with its output streamed to the terminal, collects the `ROW|...` lines they print
(bench/_rows.py) and prints ONE markdown table of every row at the end: Row | Portal | Baseline | Ratio |
Aim | Met?. "Met?" is worked out from the aim's text (on the ratio when the row has one, else on the
figure); "-" where there is no aim.
Exits non-zero only when a benchmark failed (exited non-zero): never on time.

Usage: .venv/bin/python bench/report.py [--only name,...] [--quick] [--out FILE]"""

from __future__ import annotations

import argparse
import operator
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
AIM = re.compile(r"^\s*(<=|>=|<|>|=)\s*(-?[0-9.]+)\s*$")
COMPARE = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt, "=": operator.eq}


@dataclass(frozen=True)
class Row:
    name: str
    figure: str
    baseline: str
    ratio: str
    aim: str
    bench: str = ""


def parse_row(line: str, bench: str = "") -> Row | None:
    """The row a `ROW|name|figure|baseline|ratio|aim` line holds; None for any other line."""
    parts = line.rstrip("\r\n").split("|")
    if len(parts) != 6 or parts[0] != "ROW":
        return None
    return Row(*(part.strip() for part in parts[1:]), bench=bench)


def met(row: Row) -> str:
    """"yes"/"no" against the aim, on the ratio when there is one, else on the figure; "-" without an aim
    (or with one this cannot read, or no number to hold it to)."""
    aim = AIM.match(row.aim)
    if not aim:
        return "-"
    measured = row.ratio if row.ratio not in ("", "-") else row.figure
    try:
        value = float(measured)
    except ValueError:
        return "-"
    return "yes" if COMPARE[aim.group(1)](value, float(aim.group(2))) else "no"


def table(rows: list[Row]) -> str:
    lines = ["| Row | Portal | Baseline | Ratio | Aim | Met? |", "|---|---:|---:|---:|---|---|"]
    lines += [f"| {r.name} | {r.figure} | {r.baseline} | {r.ratio} | {r.aim} | {met(r)} |" for r in rows]
    return "\n".join(lines)


def prints_rows(path: Path) -> bool:
    """A benchmark prints ROW lines (through bench/_rows.py); a script that prints none, such as the profiler
    bench/profile_page.py (run by hand with a page kind), is not one."""
    text = path.read_text(encoding="utf-8")
    return "_rows" in text or "ROW|" in text


def benches(only: list[str] | None) -> list[Path]:
    found = sorted(p for p in HERE.glob("[!_]*.py") if p.name != Path(__file__).name and prints_rows(p))
    if only:
        wanted = {name.removesuffix(".py") for name in only}
        unknown = wanted - {p.stem for p in found}
        if unknown:
            sys.exit(f"no such benchmark: {', '.join(sorted(unknown))}")
        found = [p for p in found if p.stem in wanted]
    return found


def accepts_quick(path: Path) -> bool:
    return "--quick" in path.read_text(encoding="utf-8")


def run(path: Path, quick: bool) -> tuple[int, list[Row]]:
    """Runs one benchmark, echoing its output line by line; (exit status, its rows)."""
    command = [sys.executable, "-u", str(path), *(["--quick"] if quick and accepts_quick(path) else [])]
    print(f"== {path.relative_to(HERE.parent)}{' --quick' if '--quick' in command else ''}", flush=True)
    rows = []
    # This checkout's portal first, whatever the virtualenv installs (a worktree, an older checkout).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")]))}
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, bufsize=1, env=env) as process:
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            row = parse_row(line, path.stem)
            if row:
                rows.append(row)
    return process.returncode, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated benchmark names, e.g. jobs_throughput,queue_page")
    parser.add_argument("--quick", action="store_true", help="passed on to the benchmarks that accept it")
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    options = parser.parse_args(argv)
    rows, failed = [], []
    for path in benches(options.only.split(",") if options.only else None):
        status, found = run(path, options.quick)
        rows += found
        if status != 0:
            failed.append(f"{path.stem} (exit {status})")
        elif not found:
            print(f"note: {path.stem} printed no ROW line", file=sys.stderr)
    result = table(rows)
    print("\n" + result)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    if options.out:
        options.out.write_text(result + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
