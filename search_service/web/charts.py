"""Matching reviews per year as a bar chart in plain SVG.

Drawn on the server so the chart needs no JavaScript and prints; every piece of text that
goes into the SVG is escaped, and the chart carries its own title and description.
"""

from __future__ import annotations

from html import escape

YEAR_FIELD_LABELS = {"death": "year of death", "published": "year published"}

# Layout of the chart, in SVG user units (the viewBox scales it to any width).
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 40


def describe(years: list[dict], year_field: str, unit: str = "review") -> str:
    """A sentence saying what the chart shows, for its <desc> and for screen readers."""
    label = YEAR_FIELD_LABELS.get(year_field, year_field)
    if not years:
        return f"No matching {unit}s have a known {label}."
    peak = max(years, key=lambda y: (y["reviews"], -y["year"]))
    total = sum(y["reviews"] for y in years)
    return (
        f"Bar chart of matching {unit}s by {label}, {years[0]['year']} to {years[-1]['year']}: "
        f"{total} {unit}{'s' if total != 1 else ''} in all, most in {peak['year']} "
        f"({peak['reviews']})."
    )


def _axis_top(value: int) -> int:
    """The axis maximum: four equal whole-number steps of 1, 2, 5, 10, 20, 50 ... reaching value."""
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if value <= step * 4:
                return step * 4
        magnitude *= 10


def render_svg(
    years: list[dict], title: str, year_field: str, id_prefix: str = "trend", unit: str = "review"
) -> str:
    """The bar chart as an SVG string: role=img, labelled by its <title> and <desc>, all text escaped.

    years: [{"year", "reviews"}], "reviews" being the count of `unit`s."""
    tid, did = f"{id_prefix}-title", f"{id_prefix}-desc"
    desc = describe(years, year_field, unit)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{escape(tid)} {escape(did)}" '
        'font-family="system-ui, Arial, sans-serif" font-size="12">',
        f'<title id="{escape(tid)}">{escape(title)}</title>',
        f'<desc id="{escape(did)}">{escape(desc)}</desc>',
    ]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base_y = TOP + plot_h
    top = _axis_top(max((y["reviews"] for y in years), default=0))
    # Gridlines at quarters of the axis; the labels are the counts they stand for.
    for i in range(5):
        value = top * i // 4  # whole numbers: _axis_top is a multiple of four
        y = base_y - plot_h * i / 4
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{"#0b0c0c" if i == 0 else "#b1b4b6"}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#0b0c0c">{value}</text>'
        )
    if years:
        slot = plot_w / len(years)
        bar = max(1.0, slot * 0.7)
        # Label every year when they fit, otherwise every n-th, always the first and last.
        every = max(1, -(-len(years) * 40 // plot_w))
        for i, item in enumerate(years):
            x = LEFT + i * slot + (slot - bar) / 2
            h = plot_h * item["reviews"] / top
            count = item["reviews"]
            tip = f"{item['year']}: {count} {unit}{'s' if count != 1 else ''}"
            out.append(
                f'<rect x="{x:.1f}" y="{base_y - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="#1d70b8"><title>{escape(tip)}</title></rect>'
            )
            if i % every == 0 or i == len(years) - 1:
                out.append(
                    f'<text x="{x + bar / 2:.1f}" y="{base_y + 16}" text-anchor="middle" '
                    f'fill="#0b0c0c">{escape(str(item["year"]))}</text>'
                )
    else:
        out.append(
            f'<text x="{WIDTH / 2}" y="{TOP + plot_h / 2}" text-anchor="middle" fill="#0b0c0c">'
            f"No matching {unit}s with a known year</text>"
        )
    label = YEAR_FIELD_LABELS.get(year_field, year_field).capitalize()
    out.append(
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 6}" text-anchor="middle" fill="#505a5f">'
        f"{escape(label)}</text>"
    )
    out.append("</svg>")
    return "".join(out)
