"""A deterministic generator of synthetic review pages for the demo corpus and benchmarks.

CSP names and regions are real (DHRD, Cook & Cook 2026, doi 10.5281/zenodo.21108268,
CC BY 4.0); every review it writes is marked "(synthetic)" in its title.
"""

from __future__ import annotations

import csv
import random
import shutil
from importlib import resources
from pathlib import Path

from search_service.model import MONTHS

SEED_REVIEW_ID = "bolton-2023"

ABOUT = (
    "About this page. This page summarises a Domestic Homicide Review published in the Home "
    "Office DHR Library. The full report is available at the source link below. Victim and "
    "perpetrator names are not included in extracted summaries on this page."
)
STATUTORY = (
    "Statutory domestic homicide review under section 9 of the Domestic Violence, Crime and "
    "Victims Act 2004. Source: Home Office DHR Library."
)

# Agency name patterns; {csp} and {force} are filled per review.
AGENCIES = [
    "{csp} Community Safety Partnership",
    "{force}",
    "National Probation Service",
    "{csp} Clinical Commissioning Group",
    "{csp} Council Adult Social Care",
    "{csp} Council Children's Services",
    "{csp} Safeguarding Adults Board",
    "{csp} Domestic Abuse Service",
    "{csp} Housing Services",
    "NHS England",
    "Home Office",
    "All agencies",
    "Mental Health NHS Foundation Trust",
    "Department for Work and Pensions",
]
FORCES = {
    "North West": "Greater Manchester Police",
    "Greater London": "Metropolitan Police Service",
    "South West": "Avon and Somerset Constabulary",
    "South East": "Thames Valley Police",
    "West Midlands": "West Midlands Police",
    "East": "Essex Police",
    "East Midlands": "Nottinghamshire Police",
    "Yorkshire and Humber": "West Yorkshire Police",
    "Wales": "South Wales Police",
    "North East": "Northumbria Police",
}
# Recommendation texts by theme: (text, index into AGENCIES of the usual addressee).
RECOMMENDATIONS = [
    (
        "That {agency} reviews its MARAC referral pathway so that cases meeting the threshold on professional judgement are referred, not only those scoring 14 or more on the DASH risk checklist.",
        0,
    ),
    (
        "That {agency} ensures officers complete a DASH risk assessment at every domestic abuse incident and that the outcome is shared with the IDVA service within 24 hours.",
        1,
    ),
    (
        "That {agency} audits compliance with the Domestic Violence Disclosure Scheme (Clare's Law) and promotes the right to ask to people at risk.",
        1,
    ),
    (
        "That {agency} strengthens the supervision of offenders released on licence, including home visits and checks with police on call-outs to the address.",
        2,
    ),
    (
        "That {agency} commissions training for GP practices on routine enquiry about domestic abuse, coercive control and economic abuse.",
        3,
    ),
    (
        "That {agency} ensures practitioners show professional curiosity when a client's explanation of injuries is inconsistent with what is seen.",
        4,
    ),
    (
        "That {agency} ensures children's voices are heard in assessments and that the impact of domestic abuse on children living in the household is recorded.",
        5,
    ),
    (
        "That {agency} considers commissioning a Safeguarding Adults Review alongside future domestic homicide reviews where the victim had care and support needs.",
        6,
    ),
    (
        "That {agency} provides an Independent Domestic Violence Advisor for victims assessed as high risk, with capacity to support them through separation.",
        7,
    ),
    (
        "That {agency} reviews how housing officers respond to reports of domestic abuse from tenants, including the use of sanctuary schemes and management transfers.",
        8,
    ),
    (
        "That {agency} issues guidance on the recording of domestic abuse disclosures in primary care records so that they are visible to every clinician.",
        9,
    ),
    (
        "That {agency} considers national guidance on domestic homicide reviews where the perpetrator is an adult child of the victim.",
        10,
    ),
    (
        "That {agency} shares this review's learning through a multi-agency briefing and a seven-minute briefing for frontline staff.",
        11,
    ),
    (
        "That {agency} ensures that risk to partners is assessed when a patient discloses suicidal thoughts in the context of a relationship breakdown.",
        12,
    ),
    (
        "That {agency} trains work coaches to recognise signs of economic abuse and to signpost claimants to specialist domestic abuse services.",
        13,
    ),
    (
        "That {agency} improves information sharing between substance misuse services and police so that alcohol-related violence in the home is identified early.",
        0,
    ),
    (
        "That {agency} reviews the use of Domestic Violence Protection Notices and Orders and monitors breaches.",
        1,
    ),
    (
        "That {agency} works with partners to raise awareness of stalking and harassment after separation, including the use of stalking protection orders.",
        0,
    ),
    (
        "That {agency} ensures interpreters are used for every contact with victims whose first language is not English, and never family members.",
        11,
    ),
    (
        "That {agency} develops a pathway for older victims of domestic abuse, recognising that abuse by carers and adult children can go unseen.",
        6,
    ),
]
SUMMARIES = [
    "The review found that agencies held pieces of information about escalating abuse but did not share them, and that risk was assessed incident by incident rather than as a pattern of coercive and controlling behaviour.",
    "The victim had contact with her GP, housing and the police in the year before her death. The review identifies missed opportunities for routine enquiry and a MARAC referral that was not made.",
    "The perpetrator had a history of violence towards previous partners that was known to probation but not to the agencies supporting the victim. The review recommends stronger information sharing under the Domestic Violence Disclosure Scheme.",
    "The review considers the impact of substance misuse and mental ill health on both the victim and the perpetrator, and the difficulty services had in engaging them.",
    "The homicide followed the victim's separation from the perpetrator. The review highlights the heightened risk after separation and the need for safety planning with an IDVA.",
]


def csp_regions() -> list[tuple[str, str]]:
    """Real (CSP, region) pairs from the bundled DHRD incidents.csv, sorted by CSP."""
    path = resources.files("search_service").joinpath("data/dhrd/incidents.csv")
    with path.open(encoding="utf-8") as f:
        pairs = {(row["csp"], row["region"]) for row in csv.DictReader(f)}
    return sorted(pairs)


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def render_page(
    title: str,
    csp: str,
    published: str,
    year_of_death: int | None,
    summary: str,
    recs: list[tuple[str, str]],
) -> str:
    """A review page in the Home Office DHR Library layout (as in shared/seeds)."""
    lines = [
        ABOUT,
        "Source · Domestic Homicide Review",
        title,
        f"CSP: {csp}",
        f"Published: {published}",
    ]
    if year_of_death:
        lines.append(f"Year of death: {year_of_death}")
    lines += [
        f"Extracted: {len(recs)} recs",
        STATUTORY,
        "View full report (PDF) ↗",
        "Source: Home Office DHR Library",
        "Summary",
        summary,
        "Extracted recommendations",
        "| # | Recommendation | Addressed to |",
        "|---|---|---|",
    ]
    lines += [f"| {i} | {text} | {to} |" for i, (text, to) in enumerate(recs, start=1)]
    lines.append(
        "| Recommendations extracted from the published report. Source: Home Office DHR "
        "Library. View full report ↗ | ||"
    )
    return "\n".join(lines)


def synthetic_review(rng: random.Random, csp: str, region: str) -> tuple[str, str]:
    """One synthetic review page: (review id, page text)."""
    year = rng.randint(2022, 2025)
    month = rng.randint(1, 12)
    death = year - rng.randint(1, 6)
    force = FORCES.get(region, "the police")
    recs = []
    for text, agency_at in rng.sample(RECOMMENDATIONS, rng.randint(4, 11)):
        agency = AGENCIES[agency_at].format(csp=csp, force=force)
        addressed = agency
        if rng.random() < 0.15 and agency_at != 11:
            other = AGENCIES[rng.choice([0, 1, 7])].format(csp=csp, force=force)
            if other != agency:
                addressed = f"{agency}; {other}"
        recs.append((text.format(agency=agency.replace("All agencies", "all agencies")), addressed))
    summary = " ".join(rng.sample(SUMMARIES, 2))
    review_id = f"{_slug(csp)}-{year}-{rng.randint(1000, 9999)}"
    title = f"{csp} review (synthetic)"
    page = render_page(title, csp, f"{MONTHS[month - 1]} {year}", death, summary, recs)
    return review_id, page


def write_demo_corpus(
    out_dir: Path, reviews: int, seed: int = 2023, include_seed: bool = True
) -> int:
    """Write the seed review and `reviews` synthetic pages to out_dir; return the page count."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    # The real Bolton review stands alone: no synthetic review shares its CSP.
    pairs = [(csp, region) for csp, region in csp_regions() if csp != "Bolton"]
    written = 0
    if include_seed:
        seed_page = resources.files("search_service").joinpath("data/seed/bolton-2023.txt")
        with resources.as_file(seed_page) as src:
            shutil.copyfile(src, out_dir / f"{SEED_REVIEW_ID}.txt")
        written += 1
    seen: set[str] = set()
    while len(seen) < reviews:
        csp, region = rng.choice(pairs)
        review_id, page = synthetic_review(rng, csp, region)
        if review_id in seen:
            continue
        seen.add(review_id)
        (out_dir / f"{review_id}.txt").write_text(page + "\n", encoding="utf-8")
        written += 1
    return written
