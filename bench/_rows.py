"""The one machine-readable line every benchmark prints per figure, for bench/report.py's table:
`ROW|<row name>|<figure>|<baseline figure>|<ratio>|<aim>`, plain numbers (or "-" where there is none),
the aim as text such as ">= 0.5", "<= 1.25", "< 250", "= 0", or "-" where the issue gives none."""

from __future__ import annotations


def _number(value) -> str:
    if value is None or value == "-":
        return "-"
    if not isinstance(value, float):
        return str(value)
    # Figures to a sensible precision: 497 ms, 12.3 ms, 1.224 (a ratio, near its aim).
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}" if abs(value) >= 10 else f"{value:.3f}"


def row(name: str, figure, baseline=None, ratio=None, aim: str = "-") -> None:
    if "|" in name:
        raise ValueError("a row name cannot hold '|'")
    print(f"ROW|{name}|{_number(figure)}|{_number(baseline)}|{_number(ratio)}|{aim}", flush=True)
