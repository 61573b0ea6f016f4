"""Variant c of the action-plan layout: a narrow number column beside the merged cells."""

from . import layouts_c
from .spec_base import DHR, OR, c, report

PLYMOUTH = [
    c(
        "Ensure that officers attending a domestic abuse incident consider a Domestic Violence "
        "Protection Notice whenever the suspect is released without charge and the victim remains "
        "at risk.",
        actions=[
            (
                "Issue revised guidance to response officers on authorising a notice.",
                "police",
                "June 2025",
                "Guidance published and briefed to every response team; the number of notices "
                "issued in Plymouth is reported to Safer Plymouth each quarter.",
            ),
            (
                "Add a prompt about notices to the attending officer’s incident record.",
                "police",
                "September 2025",
                "Dip sample of fifty incident records shows the prompt was completed in at "
                "least 90 per cent of eligible cases.",
            ),
        ],
    ),
    c(
        "Improve the links between substance misuse treatment and domestic abuse services for "
        "people who experience abuse within a relationship in which one or both partners are "
        "dependent on alcohol or drugs.",
        "Harbour Drug and Alcohol Services, Plymouth Domestic Abuse Service and NHS Devon "
        "Integrated Care Board should jointly agree a pathway that sets out:",
        bullets=[
            "how a disclosure of abuse during treatment is risk assessed and referred to an IDVA;",
            "how a relapse by either partner is taken into account when a safety plan is reviewed;",
            "how the client’s GP is told about a significant change in risk.",
        ],
        tail=[
            "The pathway should be tested through a joint case audit before it is adopted.",
        ],
        actions=[
            (
                "Hold a joint workshop for treatment keyworkers and IDVAs to draft the pathway.",
                "substance",
                "May 2025",
                "Workshop held with keyworkers and IDVAs from both services; a draft pathway is "
                "circulated to the panel members for comment, and the comments received are "
                "recorded with the response of the two services to each one. The final pathway "
                "is signed off by the service managers of both organisations and published on "
                "their websites, with a one-page summary for practitioners that explains how a "
                "referral is made out of hours and at weekends, and who to contact when a client "
                "discloses abuse during a group session or a home visit.",
            ),
            (
                "Agree how IDVA referrals from treatment services are prioritised.",
                "das",
                "July 2025",
                "Referral criteria agreed and included in the IDVA service’s operating procedure.",
            ),
            (
                "Include the pathway in primary care safeguarding training.",
                "icb",
                "December 2025",
                "Training materials updated; attendance reported to the ICB safeguarding "
                "committee.",
            ),
        ],
    ),
    c(
        "Review the housing register so that a victim placed in temporary accommodation outside "
        "the city keeps the priority that she held before the move.",
        actions=[
            (
                "Amend the allocation scheme and publish the change.",
                "council",
                "October 2025",
                "The amended scheme is approved by the Cabinet Member and published.",
            ),
            (
                "Check the banding of every household placed outside the city since 2023.",
                "council",
                "December 2025",
                "Every affected household has been reviewed and told of the outcome in writing.",
            ),
        ],
    ),
    c(
        "Record the outcome of every routine enquiry about domestic abuse in the electronic care "
        "record, including when the question could not be asked safely.",
        actions=[
            (
                "Add a mandatory routine enquiry field to the assessment template.",
                "mh",
                "August 2025",
                "Quarterly reports show the field is completed in at least 85 per cent of "
                "assessments.",
            ),
        ],
    ),
    c(
        "Develop a domestic abuse workplace charter for employers in Plymouth, with guidance for "
        "managers on responding to an employee who discloses abuse.",
        actions=[
            (
                "Draft the charter with the city’s business networks.",
                "csp",
                "January 2026",
                "Charter launched; at least twenty employers have signed it within six months.",
            ),
            (
                "Adopt the charter for the council’s own staff.",
                "council",
                "March 2026",
                "Human resources policy updated and managers briefed.",
            ),
        ],
    ),
]

PLAN_C_SPECS = [
    report(
        "plymouth-action-plan-c",
        "action-plan",
        "c",
        "Plymouth",
        seed=33,
        published=(3, 2025),
        pseudonym="“Joanne”",
        v="Joanne",
        p="Craig",
        author="Rosalind Trevithick",
        title_lines=[
            ("SAFER PLYMOUTH", 16, True),
            (DHR, 26, True),
            (OR, 20, False),
            ("“Joanne”", 20, False),
        ],
        title="Domestic Homicide Review Overview Report “Joanne”",
        font="Arial",
        size=10.5,
        margins=(18, 18, 18, 18),
        recs_where="the action plan at Appendix B",
        plan_heading="Appendix B: Recommendations and action plan",
        paras=2,
        writer=layouts_c.plan_intro,
        plan_table=layouts_c.action_plan,
        lead_in=[
            "The panel makes {count} recommendations. Each is set out in Appendix B with the "
            "actions that the lead agencies have agreed, the date by which each action will be "
            "completed and the evidence that Safer Plymouth will seek."
        ],
        plan_note=[
            "The action plan was agreed by the review panel at its final meeting. Progress will be "
            "reported to the Safer Plymouth board every six months until every action is complete."
        ],
        widths=[10, 68, 62, 40, 23, 58],
        recs=PLYMOUTH,
    ),
]
