"""Variant c of the list layouts (numbered list, paragraphs, agency sections)."""

from . import layouts_c
from .spec_base import DHR, OR, c, report

NEWCASTLE = [
    c(
        "That Northumbria Police ensures a supervisor reviews any domestic abuse incident before "
        "it is closed where the victim has withdrawn a complaint in the previous six months.",
        to=["police"],
    ),
    c(
        "That Newcastle City Council reviews how its adult social care teams decide whether a "
        "concern about domestic abuse meets the criteria for an enquiry under section 42 of the "
        "Care Act 2014.",
        "The review found that three safeguarding concerns about Sophie were closed at the "
        "screening stage because she was judged to have capacity and had declined support. "
        "Having capacity to make a decision does not remove the duty to consider whether a "
        "person is able to protect herself from abuse, particularly when the abuser controls her "
        "access to money, transport and medication.",
        "In carrying out the review, the council should:",
        to=["council"],
        bullets=[
            "issue practice guidance on the interface between mental capacity and coercive "
            "control;",
            "require a manager to agree the closure of any concern that involves an intimate "
            "partner;",
            "report the number of section 42 enquiries arising from domestic abuse to the "
            "Newcastle Safeguarding Adults Board every quarter.",
        ],
        tail=[
            "The council should share the findings of the review with Safe Newcastle within "
            "nine months of the publication of this report."
        ],
    ),
    c(
        "That Cumbria, Northumberland, Tyne and Wear NHS Foundation Trust gives its crisis teams "
        "guidance on asking about domestic abuse when a patient presents in crisis after an "
        "argument with a partner.",
        to=["mh"],
    ),
    c(
        "That Newcastle City Council and Harbour Support Services evaluate whether the IDVA "
        "service can offer every high-risk victim a first contact within two working days.",
        to=["council", "das"],
    ),
    c(
        "That NHS North East and North Cumbria Integrated Care Board asks every GP practice in "
        "Newcastle to name a safeguarding lead for domestic abuse, and that the lead either "
        "attends the MARAC or provides a written report whenever a patient of the practice is "
        "to be discussed.",
        "The board should monitor GP attendance and reports through the MARAC coordinator’s "
        "quarterly data and raise any practice that has not contributed with its clinical lead.",
        to=["icb"],
    ),
    c(
        "That the Probation Service (North East) ensures that an OASys assessment is reviewed "
        "whenever a person under supervision for a domestic abuse offence reports a new "
        "relationship, and that the police are told of the change.",
        to=["probation"],
    ),
    c(
        "That Safe Newcastle works with large employers in the city, including the universities "
        "and the NHS, to adopt domestic abuse policies that offer paid safe leave and a named "
        "contact for advice.",
        to=["csp"],
    ),
    c(
        "That Northumbria Police, Newcastle City Council and The Newcastle upon Tyne Hospitals NHS "
        "Foundation Trust review together how applications under the Domestic Violence Disclosure "
        "Scheme (“Clare’s Law”) are considered at the MARAC, and that disclosures are made in "
        "person with an IDVA present wherever possible.",
        to=["police", "council", "health"],
    ),
]

SWINDON = [
    c(
        "Wiltshire Police should ensure that officers record the name and contact details of any "
        "third party who reports concerns about domestic abuse, so that the third party can be "
        "contacted again if the victim cannot safely speak.",
        to=["police"],
    ),
    c(
        "Swindon Borough Council should review its policy on the use of interpreters in "
        "children’s services and adult social care.",
        "The review found that Priya’s husband interpreted for her at two social work visits and "
        "at a child protection conference, and that she was never offered the chance to speak to "
        "a professional without him. The revised policy should make clear that:",
        to=["council"],
        bullets=[
            "a family member must never interpret in a conversation about abuse or safeguarding;",
            "an interpreter of the person’s preferred sex is offered where one is available;",
            "the use of an interpreter, or the reason that one was not used, is recorded in the "
            "case notes.",
        ],
    ),
    c(
        "Great Western Hospitals NHS Foundation Trust should make routine enquiry about domestic "
        "abuse a mandatory field in the maternity booking record, and audit completion every six "
        "months.",
        to=["health"],
    ),
    c(
        "The review recommends that Swindon Domestic Abuse Support Service agrees with Swindon "
        "Borough Council a minimum standard for the number and method of attempts made to contact "
        "a victim before a referral is closed.",
        to=["das", "council"],
    ),
    c(
        "The NHS Bath and North East Somerset, Swindon and Wiltshire Integrated Care Board "
        "should "
        "commission training for GP safeguarding leads on economic abuse, including the control "
        "of money, benefits and access to employment.",
        to=["icb"],
    ),
    c(
        "Avon and Wiltshire Mental Health Partnership NHS Trust should not rely on a patient’s "
        "partner as the main source of collateral history when there is any indication of "
        "domestic abuse.",
        to=["mh"],
    ),
    c(
        "Swindon Community Safety Partnership should ask every partner agency to confirm, within "
        "six months, that its staff know how to refer a case to the MARAC and that its "
        "representative attends every meeting.",
        "Where an agency’s attendance has fallen below 90 per cent over a year, it should explain "
        "the reasons to the partnership and agree an improvement plan with the MARAC chair.",
        to=["csp"],
    ),
]

LAMBETH = [
    (
        "council",
        [
            c(
                "Review the housing transfer policy so that a tenant who asks for an urgent move "
                "because of abuse from a former partner is seen by a specialist domestic abuse "
                "housing officer within two working days."
            ),
            c(
                "Ensure that children’s social care assessments seek the views of the non-abusing "
                "parent in a place where the abusive parent is not present and cannot overhear."
            ),
            c(
                "Strengthen the response of adult social care to adults with care and support "
                "needs who are experiencing domestic abuse.",
                "When a safeguarding concern is raised under section 42 of the Care Act 2014 and "
                "the person alleged to cause harm is a partner or family member, the team should:",
                bullets=[
                    "make enquiries of the police and the MARAC coordinator before deciding "
                    "whether to proceed;",
                    "offer a referral to the IDVA service, whatever the level of risk;",
                    "record the reasons for any decision not to make an enquiry.",
                ],
                tail=[
                    "Lambeth Safeguarding Adults Board should receive an audit of these "
                    "decisions within a year."
                ],
            ),
        ],
    ),
    (
        "police",
        [
            c(
                "Ensure that a MARAC referral made by an officer includes every previous report "
                "involving the same couple, not only those graded as high risk."
            ),
            c(
                "Remind officers that a Domestic Violence Protection Notice can be issued without "
                "the victim’s support, and report the number of notices issued in Lambeth to the "
                "partnership each quarter."
            ),
        ],
    ),
    (
        "health",
        [
            c(
                "Extend the hospital IDVA service in the emergency department at St Thomas’ "
                "Hospital to evenings and weekends, when most domestic abuse presentations occur."
            ),
            c(
                "Guy’s and St Thomas’ NHS Foundation Trust and NHS South East London Integrated "
                "Care Board should agree how the GP is told, on the same day, when a patient "
                "attends the emergency department with an injury caused by a partner.",
                to=["health", "icb"],
            ),
        ],
    ),
    (
        "mh",
        [
            c(
                "Ensure that the care plan of any service user with a history of violence towards "
                "a partner includes a current assessment of the risk to a new partner."
            ),
        ],
    ),
    (
        "csp",
        [
            c(
                "Work with faith organisations, community groups and employers in the borough to "
                "promote the Domestic Violence Disclosure Scheme (“Clare’s Law”) and the local "
                "domestic abuse helpline."
            ),
            c(
                "Monitor the action plan arising from this review and tell the Home Office when "
                "every action has been completed."
            ),
        ],
    ),
]

LIST_C_SPECS = [
    report(
        "newcastle-numbered-list-c",
        "numbered-list",
        "c",
        "Newcastle upon Tyne",
        seed=34,
        published=(9, 2024),
        pseudonym="‘Sophie’",
        v="Sophie",
        p="Lewis",
        author="Dr Catherine Hall",
        title_lines=[
            ("Safe Newcastle", 18, True),
            (DHR, 26, True),
            (OR, 20, False),
            ("‘Sophie’", 20, False),
        ],
        title="Domestic Homicide Review Overview Report ‘Sophie’",
        font="Calibri",
        size=12,
        outline="h1paras",
        paras=1,
        footnotes=False,
        need_rec_span=True,
        recs_where="section 16",
        writer=layouts_c.numbered_list,
        lead_in=[
            "The review panel makes the {count} recommendations below. Each recommendation names "
            "the agency or agencies responsible for taking it forward."
        ],
        recs=NEWCASTLE,
    ),
    report(
        "swindon-paragraphs-c",
        "paragraphs",
        "c",
        "Swindon",
        seed=35,
        published=(1, 2025),
        date_word="Final version",
        date_line="Final version: 20 January 2025",
        pseudonym="“Priya”",
        v="Priya",
        p="Sanjay",
        author="Janet Osei",
        title_lines=[
            (DHR, 24, True),
            (OR, 20, False),
            ("“Priya”", 20, False),
            ("Swindon Community Safety Partnership", 16, True),
        ],
        title="Domestic Homicide Review Overview Report “Priya”",
        font="Cambria",
        size=11,
        margins=(25, 22, 25, 30),
        chronology_rows=18,
        paras=1,
        writer=layouts_c.paragraphs,
        lead_in=[
            "The panel makes {count} recommendations. They have been accepted by the agencies "
            "concerned, whose action plans will be overseen by the partnership."
        ],
        recs=SWINDON,
    ),
    report(
        "lambeth-agency-sections-c",
        "agency-sections",
        "c",
        "Lambeth",
        seed=36,
        published=(4, 2025),
        pseudonym="“Abena”",
        v="Abena",
        p="Daniel",
        author="Sarah Okafor",
        title_lines=[
            ("Safer Lambeth Partnership", 18, True),
            (DHR, 26, True),
            (OR, 20, False),
            ("The death of “Abena”", 18, False),
        ],
        title="Domestic Homicide Review Overview Report The death of “Abena”",
        marking="OFFICIAL-SENSITIVE",
        font="Times New Roman",
        size=12,
        margins=(20, 20, 20, 20),
        two_column_glossary=True,
        paras=1,
        writer=layouts_c.agency_sections,
        lead_in=[
            "The panel makes {count} recommendations, grouped below by the agency that is to act "
            "on them. The recommendations for Safer Lambeth Partnership apply to the partnership "
            "as a whole."
        ],
        section_titles={"police": "Recommendations for the {agency}"},
        agency_recs=LAMBETH,
    ),
]
