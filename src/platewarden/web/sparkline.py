"""A camera's reads per minute as a small bar chart drawn on the server (inline SVG: no script, so the strict
Content-Security-Policy holds, and it prints). The axis is whole reads: the tallest bar is labelled with its count."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 240, 36


def sparkline(counts: Sequence[int], label: str) -> Markup:
    """``counts`` oldest first; an empty (all-zero) window draws a flat line, never an empty plot."""
    top = max(counts, default=0)
    n = max(len(counts), 1)
    bar = WIDTH / n
    bars = "".join(
        f'<rect x="{i * bar:.1f}" y="{HEIGHT - 2 - (HEIGHT - 12) * c / top:.1f}" width="{max(bar - 0.6, 0.6):.1f}" '
        f'height="{(HEIGHT - 12) * c / top:.1f}" fill="#2b6cb0"/>' for i, c in enumerate(counts) if c and top)
    return Markup(
        f'<svg class="sparkline" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-label="{escape(label)}: at most {top} reads in a minute">'
        f'<line x1="0" y1="{HEIGHT - 1.5}" x2="{WIDTH}" y2="{HEIGHT - 1.5}" stroke="#a0aec0"/>{bars}'
        f'<text x="2" y="9" font-size="9" fill="#4a5568">max {top}/min</text></svg>')
