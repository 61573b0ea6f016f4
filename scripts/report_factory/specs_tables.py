"""Specs of the table layouts: plain, grouped and landscape action plan."""

from .spec_base import DHR, OR, r, report

LONG_OUTCOME = (
    "Referrals to the MARAC contain the full history held by each agency, so that the "
    "conference can consider the cumulative picture of risk. The audit will sample referrals "
    "made by police, housing and health practitioners across the county, and the findings "
    "will be reported to the partnership board with a narrative account of the changes in "
    "practice. Where gaps are found, the agency concerned will agree improvement actions "
    "with the MARAC chair and report on their progress at each quarterly meeting until the "
    "board is satisfied that the change has been sustained over at least two audit cycles."
)
LONG_OUTCOME_B = (
    "Every victim whose first language is not English is offered a professional interpreter "
    "at each contact, and no family member or partner is used to interpret. Compliance will "
    "be measured through a quarterly audit of case records in each agency, and the results "
    "will be presented to the partnership with examples of practice. Practitioners will be "
    "able to explain how to book an interpreter at short notice, including out of hours, and "
    "managers will confirm in supervision that interpreters have been used whenever needed, "
    "recording the reasons in the rare cases where this was not possible."
)

TABLE_SPECS = [
    report(
        "south-glos-table-plain-a",
        "table-plain",
        "a",
        "South Gloucestershire",
        seed=11,
        published=(3, 2024),
        date_word="Final version",
        pseudonym="‘Adult A’",
        v="Adult A",
        p="Adult B",
        author="Dr Helen Marsh",
        title_lines=[
            (DHR, 26, True),
            (OR, 20, False),
            ("‘Adult A’", 20, False),
            ("South Gloucestershire", 18, False),
        ],
        title="Domestic Homicide Review Overview Report ‘Adult A’",
        page2_heading="Commissioning",
        paras=2,
        footer_left="DHR Adult A",
        recs=[
            r("dash", "police"),
            r("curiosity", "health"),
            r("marac", "police", "council"),
            r("routine", "icb"),
            r("housing", "council"),
            r("coercive", "csp"),
            r("mhrel", "mh"),
            r("dissem", "csp"),
        ],
    ),
    report(
        "bristol-table-plain-b",
        "table-plain",
        "b",
        "Bristol",
        seed=12,
        published=(7, 2023),
        pseudonym="“Jane”",
        v="Jane",
        p="Mark",
        author="Susan Oakley",
        title_lines=[
            ("Keeping Bristol Safe Partnership", 18, True),
            (DHR, 26, True),
            ("Overview Report into the death of “Jane”", 18, False),
        ],
        title="Domestic Homicide Review Overview Report into the death of “Jane”",
        marking="OFFICIAL-SENSITIVE",
        last_col="Shared with",
        two_column_glossary=True,
        paras=1,
        font="Times New Roman",
        recs=[
            r("routine", "icb", extra=["Bristol Safeguarding Adults Board"]),
            r("quality", "police", extra=["csp"]),
            r("ed", "health", extra=["icb"]),
            r("safeplan", "das", "police", extra=["csp"]),
            r("probation", "probation", extra=["police"]),
            r("children", "council", extra=["Keeping Bristol Safe Children’s Partnership"]),
            r("alcohol", "icb", extra=["council"]),
            r("employer", "csp", extra=["Bristol Chamber of Commerce"]),
            r("family", "csp", extra=["das"]),
            r("interp", "health", "mh", extra=["icb"]),
        ],
    ),
    report(
        "cheshire-west-table-grouped-a",
        "table-grouped",
        "a",
        "Cheshire West and Chester",
        seed=13,
        published=(11, 2023),
        pseudonym="“Rachel”",
        v="Rachel",
        p="Daniel",
        author="Margaret Pryce",
        title_lines=[
            ("Safer Cheshire West and Chester", 18, True),
            (DHR, 26, True),
            (OR, 20, False),
            ("“Rachel”", 20, False),
        ],
        title="Domestic Homicide Review Overview Report “Rachel”",
        paras=2,
        two_column_agencies=True,
        groups=[
            {
                "title": "Single agency recommendations",
                "recs": [
                    r("dash", "police", n="1", span=3),
                    r("dvpn", "police", n="2", spanned=True),
                    r("stalking", "police", n="3", spanned=True),
                    r("housing", "council", n="4"),
                    r("ed", "health", n="5"),
                ],
            },
            {
                "title": "Multi-agency recommendations",
                "recs": [
                    r(
                        "marac",
                        "police",
                        "council",
                        n="6",
                        lines=["Cheshire Constabulary and Cheshire West and Chester Council"],
                    ),
                    r("gp", "icb", n="7"),
                    r("threshold", "csp", n="8"),
                ],
            },
        ],
    ),
    report(
        "leeds-table-grouped-b",
        "table-grouped",
        "b",
        "Leeds",
        seed=14,
        published=(5, 2024),
        date_word="Final version",
        pseudonym="“Sarah”",
        v="Sarah",
        p="Lee",
        author="Andrew Kettle",
        title_lines=[
            ("SAFER LEEDS", 16, True),
            (DHR, 26, True),
            (OR, 20, False),
            ("Into the death of “Sarah”, who died in 2021", 16, False),
        ],
        title="Domestic Homicide Review Overview Report Into the death of “Sarah”, who died in 2021",
        year_death=2021,
        paras=1,
        groups=[
            {
                "title": "Single agency recommendations",
                "recs": [
                    r("mhrel", "mh", n="1", span=2),
                    r("supervision", "mh", n="2", spanned=True),
                    r("records", "health", n="3"),
                    r("aftercare", "das", n="4a"),
                    r("idva", "das", n="4b"),
                ],
            },
            {
                "title": "Multi-agency recommendations",
                "recs": [
                    r(
                        "probation",
                        "police",
                        "council",
                        n="5",
                        lines=["West Yorkshire Police and Leeds City Council"],
                    ),
                    r("perp", "icb", n="6"),
                    r("dissem", "csp", n="7"),
                ],
            },
        ],
    ),
    report(
        "norfolk-action-plan-a",
        "action-plan",
        "a",
        "Norfolk",
        seed=15,
        published=(9, 2023),
        pseudonym="‘Adult C’",
        v="Adult C",
        p="Adult D",
        author="Dr Ruth Calloway",
        title_lines=[
            ("Norfolk County Community Safety Partnership", 16, True),
            (DHR, 26, True),
            (OR, 20, False),
            ("Into the death of ‘Adult C’", 18, False),
        ],
        title="Domestic Homicide Review Overview Report Into the death of ‘Adult C’",
        recs_where="the action plan at Appendix B",
        paras=1,
        label="heading",
        recs=[
            {"t": "dash", "leads": ["police", "police"], "scope": "Local"},
            {"t": "marac", "leads": ["police", "council", "health"], "scope": "Local"},
            {"t": "routine", "leads": ["icb", "icb", "health", "mh"], "scope": "Regional"},
            {"t": "housing", "leads": ["council"], "scope": "Local"},
            {
                "t": "coercive",
                "leads": ["csp", "das"],
                "scope": "Local",
                "outcome": {1: LONG_OUTCOME},
            },
            {"t": "perp", "leads": ["csp"], "scope": "National", "date": "March 2026"},
        ],
    ),
    report(
        "croydon-action-plan-b",
        "action-plan",
        "b",
        "Croydon",
        seed=16,
        published=(2, 2025),
        pseudonym="“Amina”",
        v="Amina",
        p="Tariq",
        author="Joanne Ellery",
        title_lines=[
            (DHR, 26, True),
            (OR, 20, False),
            ("Safer Croydon Partnership – “Amina”", 18, False),
        ],
        title="Domestic Homicide Review Overview Report “Amina”",
        recs_where="the action plan at Appendix B",
        paras=2,
        label="inline",
        marking="OFFICIAL-SENSITIVE",
        two_column_agencies=True,
        recs=[
            {
                "t": "interp",
                "leads": ["health", "police", "council"],
                "scope": "Local",
                "outcome": {2: LONG_OUTCOME_B},
            },
            {"t": "curiosity", "leads": ["icb", "mh"], "scope": "Local"},
            {"t": "family", "leads": ["csp", "csp"], "scope": "Local"},
            {"t": "stalking", "leads": ["police"], "scope": "Regional"},
            {"t": "children", "leads": ["council", "council", "icb"], "scope": "Local"},
        ],
    ),
]
