"""bench/report.py (issue 16): `make bench` prints one table of every benchmark's rows. Its parsing of
the ROW lines, its table and its reading of each aim; no timing is measured here."""

from __future__ import annotations

import importlib.util
import sys
import textwrap

import pytest

from portal.paths import PROJECT_ROOT

BENCH = PROJECT_ROOT / "bench"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


report = load("report")
rows = load("_rows")


def test_a_row_line_is_parsed_and_other_lines_are_not():
    row = report.parse_row("ROW|jobs/s outbox vs plain RQ|310|520|0.596|>= 0.5\n", "jobs_throughput")
    assert (row.name, row.figure, row.baseline, row.ratio, row.aim, row.bench) == (
        "jobs/s outbox vs plain RQ", "310", "520", "0.596", ">= 0.5", "jobs_throughput")
    assert report.parse_row("  outbox -> relay -> RQ -> worker: 310 jobs/s   ratio 0.596") is None
    assert report.parse_row("ROW|too|few|fields") is None
    assert report.parse_row("NOTROW|a|1|2|3|-") is None


def test_what_a_bench_prints_is_what_the_report_reads(capsys):
    rows.row("PDF issue ms vs bare WeasyPrint", 497.045, 406.012, 1.2242, "<= 1.25")
    rows.row("My applications req/s", 6.0, 1364.0, 6.0 / 1364, ">= 0.15")
    rows.row("mixed load errors", 0, aim="= 0")
    printed = capsys.readouterr().out.splitlines()
    assert printed == ["ROW|PDF issue ms vs bare WeasyPrint|497|406|1.224|<= 1.25",
                       "ROW|My applications req/s|6.000|1364|0.0044|>= 0.15", "ROW|mixed load errors|0|-|-|= 0"]
    with pytest.raises(ValueError):
        rows.row("a|b", 1)


@pytest.mark.parametrize(("line", "expected"), [
    ("ROW|r|310|520|0.596|>= 0.5", "yes"),   # the ratio is held to the aim when there is one
    ("ROW|r|100|520|0.19|>= 0.5", "no"),
    ("ROW|r|9|8|1.25|<= 1.25", "yes"),
    ("ROW|r|9|8|1.26|<= 1.25", "no"),
    ("ROW|r|249.9|-|-|< 250", "yes"),         # no ratio: the figure itself
    ("ROW|r|250|-|-|< 250", "no"),
    ("ROW|r|0|-|-|= 0", "yes"),
    ("ROW|r|3|-|-|= 0", "no"),
    ("ROW|r|12|10|1.2|-", "-"),               # no aim
    ("ROW|r|12|10|1.2|soon", "-"),            # an aim this cannot read
    ("ROW|r|-|-|-|>= 0.5", "-"),              # nothing measured
])
def test_met_follows_the_aim(line, expected):
    assert report.met(report.parse_row(line)) == expected


def test_one_table_of_every_row():
    parsed = [report.parse_row(line) for line in ("ROW|a|1|2|0.5|>= 0.5", "ROW|b|3|-|-|-")]
    assert report.table(parsed).splitlines() == [
        "| Row | Portal | Baseline | Ratio | Aim | Met? |",
        "|---|---:|---:|---:|---|---|",
        "| a | 1 | 2 | 0.5 | >= 0.5 | yes |",
        "| b | 3 | - | - | - | - |",
    ]


def test_the_report_fails_only_when_a_bench_fails(tmp_path, monkeypatch, capsys):
    """Stand-in benchmarks (one far from its aim, one crashing, one helper module): every row is in the
    table written to --out, the output is streamed, --quick reaches only a bench that accepts it, and the
    exit status says a bench failed, never that an aim was missed."""
    (tmp_path / "good.py").write_text(textwrap.dedent("""\
        import sys
        print("human line")
        print("ROW|good row|900|100|9|<= 1.25")
        print("given --quick" if "--quick" in sys.argv else "not given --quick")
        """))
    (tmp_path / "bad.py").write_text("print('ROW|bad row|1|-|-|-')\nraise SystemExit(3)\n")
    (tmp_path / "_helper.py").write_text("raise SystemExit('helpers are not benchmarks')\n")
    (tmp_path / "profiler.py").write_text("raise SystemExit('a profiler run by hand prints no rows')\n")
    monkeypatch.setattr(report, "HERE", tmp_path)
    out = tmp_path / "table.md"

    assert report.main(["--quick", "--out", str(out)]) == 1
    printed = capsys.readouterr()
    assert "human line" in printed.out and "given --quick" in printed.out
    assert "bad (exit 3)" in printed.err and "helper" not in printed.err and "profiler" not in printed.err
    table = out.read_text()
    assert "| good row | 900 | 100 | 9 | <= 1.25 | no |" in table
    assert "| bad row | 1 | - | - | - | - |" in table
    assert table.strip() in printed.out

    assert report.main(["--only", "good"]) == 0  # an aim missed is not a failure
    assert "not given --quick" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        report.main(["--only", "nonesuch"])
