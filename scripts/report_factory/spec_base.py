"""Helpers for the report specs: shared defaults and recommendation entries."""

from .agencies import AREAS

MONTHS = "January February March April May June July August September October November December"
DHR, OR = "Domestic Homicide Review", "Overview Report"


def report(name: str, layout: str, variant: str, area: str, **kw) -> dict:
    """A report spec with the shared defaults filled in."""
    month, year = kw.pop("published")
    month_name = MONTHS.split()[month - 1]
    agencies = dict(AREAS[area])
    spec = {
        "name": name,
        "layout": layout,
        "variant": variant,
        "area": area,
        "agencies": agencies,
        "csp_full": agencies["csp"],
        "month": month,
        "year": year,
        "date_line": f"{kw.pop('date_word', 'Published')}: {month_name} {year}",
        "marking": "OFFICIAL",
        "outline": "h1h2",
        "page2_heading": "About this report",
        "recs_where": "the Recommendations section",
        "year_death": year - 3,
    }
    spec.update(kw)
    spec["count_word"] = NUMBER_WORDS[count(spec)]
    spec["page2_lines"] = spec.get("page2_lines") or [
        f"This report was commissioned by {spec['csp_full']} under section 9 of the Domestic "
        "Violence, Crime and Victims Act 2004.",
        "The report is not to be published or shared without the agreement of the partnership.",
    ]
    return spec


NUMBER_WORDS = dict(
    enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
        + ["eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"]
    )
)


def count(spec: dict) -> int:
    """How many recommendations the spec makes."""
    total = len(spec.get("recs", []))
    total += sum(len(g["recs"]) for g in spec.get("groups", []))
    total += sum(len(items) for _, items in spec.get("agency_recs", []))
    return total


def r(t: str, *to: str, **kw) -> dict:
    """One recommendation: template key and addressee keys (or literal names)."""
    return {"t": t, "to": list(to), **kw}


def c(*paras: str, to: list[str] | None = None, **kw) -> dict:
    """One recommendation written out in full: paragraphs, addressees (agency keys or
    literal names; under an agency sub-heading, that agency when none) and optional parts."""
    return {"paras": list(paras), "to": to or [], **kw}
