"""Variant c of the table layouts (plain and grouped): new areas and wording."""

from . import layouts_c
from .spec_base import DHR, OR, c, report

WIRRAL = [
    c(
        "Review the force’s use of Domestic Violence Protection Notices, so that the attending "
        "officer’s supervisor considers a notice at every incident where the victim does not "
        "support a prosecution and the suspect has been arrested.",
        to=["police"],
        shared=["pcc"],
        when="Six months",
    ),
    c(
        "Commission an independent assessment of IDVA capacity in Wirral against the SafeLives "
        "recommended caseload for each full-time advocate.",
        to=["pcc"],
        shared=["csp"],
        when="March 2025",
    ),
    c(
        "Develop a joint protocol for enquiries under section 42 of the Care Act 2014 where the "
        "adult at risk is being abused by an intimate partner who is also their main carer.",
        "The protocol should set out which organisation leads the enquiry, how the views of the "
        "adult are obtained when the partner is present at every visit, and how the enquiry is "
        "linked to the MARAC when the risk is high. It should include:",
        to=["council", "mh"],
        lines=["Wirral Council; Cheshire and Wirral Partnership NHS Foundation Trust"],
        bullets=[
            "a requirement to speak to the adult alone, by arranging a visit when the partner is "
            "out or by using a secure telephone line;",
            "criteria for escalating an enquiry to a senior manager when access to the adult is "
            "refused more than once;",
            "a template for recording the adult’s wishes and the reasons for any decision to "
            "close the enquiry;",
            "joint training for social workers and community mental health nurses on abuse by "
            "carers who are also partners.",
        ],
        tail=[
            "Both organisations should report their progress against the protocol to the "
            "Safeguarding Adults Board at each of its next two meetings, and the board should "
            "seek evidence from case audit that the protocol is being followed in practice."
        ],
        shared=["Wirral Safeguarding Adults Partnership Board"],
        when="Nine months",
    ),
    c(
        "Ask every new client at assessment whether they are in an intimate relationship and "
        "whether they have ever been frightened of, or violent towards, a partner.",
        to=["substance"],
        shared=["das"],
        when="Three months",
    ),
    c(
        "Amend the housing allocation policy so that an applicant fleeing domestic abuse is not "
        "required to produce evidence from the police before being awarded priority.",
        to=["council"],
        when="Complete",
    ),
    c(
        "Require each GP practice to name a safeguarding lead for domestic abuse, and ensure that "
        "the lead reviews every MARAC notification about the practice’s patients within five "
        "working days.",
        to=["icb"],
        shared=["council"],
    ),
    c(
        "Confirm that OASys assessments of people convicted of domestic abuse offences are updated "
        "whenever police information shows that the person has begun a new relationship, and that "
        "the revised risk is shared with the police offender manager.",
        to=["probation"],
        shared=["police"],
    ),
    c(
        "Introduce an alert on the electronic patient record that tells emergency department "
        "staff when a patient has been discussed at the MARAC in the previous twelve months.",
        to=["health"],
        shared=["icb"],
        when="Twelve months",
    ),
    c(
        "Publicise the Domestic Violence Disclosure Scheme to friends and relatives, explaining in "
        "plain language how someone can make a ‘right to ask’ application about a person they "
        "are worried about.",
        to=["csp"],
        shared=["police", "pcc"],
        when="Twelve months",
    ),
]

COVENTRY_LOCAL = [
    c(
        "Introduce a supervisory review of every domestic abuse incident in which the victim has "
        "called the police three or more times in twelve months, whatever the level of risk "
        "recorded at each incident.",
        to=["police"],
        when="June 2025",
    ),
    c(
        "Review the children’s services response when a parent discloses domestic abuse during a "
        "child and family assessment, so that the assessment records the risk to that parent as "
        "well as the risk to the children.",
        to=["council"],
        span=2,
        when="September 2025",
    ),
    c(
        "Strengthen the link between the Multi-Agency Safeguarding Hub and adult social care, so "
        "that a domestic abuse notification about a parent who has care and support needs is "
        "screened for an enquiry under section 42 of the Care Act 2014.",
        "The screening should consider:",
        to=["council"],
        spanned=True,
        bullets=[
            "whether the parent is unable to protect themselves because of those needs;",
            "whether the person causing harm provides any of the parent’s care;",
            "the parent’s own views, obtained when the person causing harm is not present.",
        ],
        tail=[
            "The council should audit twenty notifications six months after the change and share "
            "the findings with Coventry Safeguarding Adults Board and with the partnership.",
        ],
        when="September 2025",
    ),
    c(
        "Remind GP practices that a patient’s request for a telephone appointment or a home visit "
        "must not prevent the patient being seen alone when there are indicators of domestic "
        "abuse.",
        to=["icb"],
    ),
    c(
        "Agree a joint pathway for women living in refuge accommodation who are also under the "
        "care of a community mental health team, so that any change in risk is shared within one "
        "working day.",
        to=["das", "mh"],
        lines=["Coventry Haven Women’s Aid and Coventry and Warwickshire Partnership NHS Trust"],
        when="December 2025",
    ),
    c(
        "Work with faith leaders and community organisations to raise awareness of coercive "
        "control, including how abuse can be hidden behind family or cultural expectations, and "
        "to promote confidential sources of help in the city.",
        to=["csp"],
        when="Ongoing",
    ),
    c(
        "Ensure that interpreters booked for maternity appointments are independent of the "
        "family, and that every pregnant woman is asked about domestic abuse when she is seen "
        "alone.",
        to=["health"],
    ),
]

COVENTRY_NATIONAL = [
    c(
        "Consider, in the statutory guidance for Domestic Abuse Related Death Reviews, how "
        "learning from reviews in which the victim was an older adult with care needs can be "
        "collated and shared nationally.",
        to=["Home Office"],
        when="For national consideration",
    ),
    c(
        "Evaluate the use of Domestic Abuse Protection Orders once they are available in every "
        "police force area, with particular attention to how breaches are detected when the "
        "perpetrator lives in a different force area from the victim.",
        to=["Home Office", "Ministry of Justice"],
        lines=["Home Office and Ministry of Justice"],
        when="For national consideration",
    ),
]

TABLE_C_SPECS = [
    report(
        "wirral-table-plain-c",
        "table-plain",
        "c",
        "Wirral",
        seed=31,
        published=(6, 2024),
        date_line="Published: 14 June 2024",
        pseudonym="“Kerry”",
        v="Kerry",
        p="Shaun",
        author="Dr Elaine Forsyth",
        title_lines=[
            ("Wirral Community Safety Partnership", 16, True),
            (DHR, 24, True),
            (OR, 18, False),
            ("“Kerry”", 20, False),
        ],
        title="Domestic Homicide Review Overview Report “Kerry”",
        font="Verdana",
        size=10,
        margins=(20, 20, 20, 20),
        footer_left="Wirral DHR “Kerry” – final report",
        paras=2,
        need_rec_span=True,
        writer=layouts_c.plain,
        lead_in=[
            "The panel has made {count} recommendations. They are listed in the table below with "
            "the agency responsible for each one and the timescale agreed with that agency."
        ],
        widths=[11, 72, 36, 28, 23],
        table_size=9,
        recs=WIRRAL,
    ),
    report(
        "coventry-table-grouped-c",
        "table-grouped",
        "c",
        "Coventry",
        seed=32,
        published=(11, 2024),
        date_word="Final version",
        pseudonym="‘Grace’",
        v="Grace",
        p="Martin",
        author="Philippa Drummond",
        title_lines=[
            (DHR, 26, True),
            ("Overview Report into the death of ‘Grace’", 18, False),
            ("Coventry Community Safety Partnership", 15, False),
        ],
        title="Domestic Homicide Review Overview Report into the death of ‘Grace’",
        marking="OFFICIAL-SENSITIVE",
        font="Georgia",
        size=11,
        margins=(25, 22, 25, 22),
        paras=1,
        need_rec_span=True,
        writer=layouts_c.grouped,
        lead_in=[
            "The review makes {count} recommendations: seven for agencies in Coventry and two "
            "for national bodies. The national recommendations will be sent to the Home Office "
            "with the final report."
        ],
        columns=["No.", "Recommendation", "Organisation", "Completion date"],
        widths=[12, 88, 38, 28],
        groups=[
            {"title": "Local recommendations", "recs": COVENTRY_LOCAL},
            {"title": "National recommendations", "recs": COVENTRY_NATIONAL},
        ],
    ),
]
