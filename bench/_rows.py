"""The one machine-readable line every benchmark prints per figure, for bench/report.py's table:
`ROW|<row name>|<figure>|<baseline figure>|<ratio>|<aim>`, plain numbers (or "-" where there is none),
the aim as text such as ">= 0.5", "<= 1.25", "< 250", "= 0", or "-" where the issue gives none."""

from __future__ import annotations


def number(value) -> str:
    if value is None or value == "-":
        return "-"
    if not isinstance(value, float):
        return str(value)
    # Figures to a sensible precision: 497 ms, 12.3 ms, 1.224 (a ratio, near its aim), and two significant
    # digits below 0.1 (a ratio of 0.0044, not 0.004 or 0.000).
    if value != value:  # NaN: nothing was measured
        return "-"
    size = abs(value)
    if size >= 100:
        return f"{value:.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 0.1 or size == 0:
        return f"{value:.3f}"
    return f"{value:#.2g}"  # "#": 0.010, not 0.01


def line(name: str, figure, baseline=None, ratio=None, aim: str = "-") -> str:
    if "|" in name:
        raise ValueError("a row name cannot hold '|'")
    return f"ROW|{name}|{number(figure)}|{number(baseline)}|{number(ratio)}|{aim}"


def row(name: str, figure, baseline=None, ratio=None, aim: str = "-") -> None:
    print(line(name, figure, baseline, ratio, aim), flush=True)


def compared(name: str, figure: float, baseline: float, aim: str = "-") -> str:
    """The line of a figure beside its baseline, with their ratio (none without a baseline)."""
    return line(name, figure, baseline, figure / baseline if baseline else None, aim)
