"""A small SVG chart of equity against the price move, with the warning and liquidation lines.
Pure: a calculator result in, SVG text out (no script, no external asset)."""

from __future__ import annotations

from html import escape

from ..calc import calculate

W, H, PAD = 560, 280, 44


def equity_chart(own: float, leverage: float, warning_line: float, liquidation_line: float, labels: dict) -> str:
    low = -min(1.0, max(0.2, round(1.5 / leverage, 2)))  # show at least the wipe-out
    steps = 40
    moves = [low + (0.2 - low) * i / steps for i in range(steps + 1)]
    r = calculate(own, leverage, warning_line=warning_line, liquidation_line=liquidation_line, moves=moves)
    pts = [(s["move"], s["equity"] / own) for s in r["scenarios"]]
    ys = [y for _, y in pts]
    y0, y1 = min(ys + [-0.2]), max(ys + [0.2])

    def x(m: float) -> float:
        return PAD + (m - low) / (0.2 - low) * (W - 2 * PAD)

    def y(v: float) -> float:
        return H - PAD - (v - y0) / (y1 - y0) * (H - 2 * PAD)

    line = " ".join(f"{x(m):.1f},{y(v):.1f}" for m, v in pts)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" '
        f'aria-label="{escape(labels["chart"])}" class="chart">',
        f'<rect x="0" y="0" width="{W}" height="{H}" fill="#fff"/>',
        f'<line x1="{PAD}" y1="{y(0):.1f}" x2="{W - PAD}" y2="{y(0):.1f}" stroke="#888" stroke-width="1"/>',
        f'<line x1="{x(0):.1f}" y1="{PAD / 2}" x2="{x(0):.1f}" y2="{H - PAD}" stroke="#ccc" stroke-width="1"/>',
    ]
    for drop, colour, text in (
        (r["drop_to_warning"], "#d98200", f"{labels['warning']} {warning_line:.0%}"),
        (r["drop_to_liquidation"], "#c0392b", f"{labels['liquidation']} {liquidation_line:.0%}"),
    ):
        if low <= -drop <= 0.2:
            out.append(
                f'<line x1="{x(-drop):.1f}" y1="{PAD / 2}" x2="{x(-drop):.1f}" y2="{H - PAD}" stroke="{colour}" '
                f'stroke-width="2" stroke-dasharray="6 4"><title>{escape(text)}: {-drop:+.2%}</title></line>'
            )
            anchor = "end" if colour == "#c0392b" else "start"
            dx = -4 if anchor == "end" else 4
            out.append(
                f'<text x="{x(-drop) + dx:.1f}" y="{PAD / 2 + 12}" font-size="12" fill="{colour}" '
                f'text-anchor="{anchor}">{escape(text)} ({-drop:+.1%})</text>'
            )
    out.append(f'<polyline points="{line}" fill="none" stroke="#1f5fbf" stroke-width="3"/>')
    for m in (low, low / 2, 0.0, 0.1, 0.2):
        out.append(f'<text x="{x(m):.1f}" y="{H - PAD + 16}" font-size="11" text-anchor="middle">{m:+.0%}</text>')
    for v in (y0, 0.0, y1):
        out.append(f'<text x="{PAD - 4}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end">{v:+.0%}</text>')
    out.append(
        f'<text x="{W / 2}" y="{H - 6}" font-size="12" text-anchor="middle">{escape(labels["x"])}</text>'
        f'<text x="12" y="{H / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 12 {H / 2})">'
        f"{escape(labels['y'])}</text></svg>"
    )
    return "".join(out)
