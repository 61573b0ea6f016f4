"""Recommendation wording: verb phrases that read as table cells or as sentences."""

from dataclasses import dataclass, field

# Each template: a verb phrase (base form, so it follows "That X", "X should" or stands
# as an imperative), optionally a second paragraph and Word bullet items.
# {its} is "its" for one addressee and "their" for several; {area} and {v} as in prose.
TEMPLATES: dict[str, dict] = {
    "dash": {
        "verb": "review {its} training on the DASH risk indicator checklist so that practitioners understand how cumulative incidents, including non-physical abuse, should affect the grading of risk"
    },
    "curiosity": {
        "verb": "develop practice guidance on “professional curiosity” for frontline staff",
        "more": "The guidance should include practical examples of the questions to ask when a patient or client is accompanied by a partner who answers on their behalf.",
    },
    "marac": {
        "verb": "provide assurance to the Community Safety Partnership that referrals to the MARAC include the full history of previous incidents held by {its} services",
        "bullets": [
            "previous call-outs and crime reports involving either party;",
            "known risks from earlier relationships;",
            "any contact with children’s social care.",
        ],
    },
    "routine": {
        "verb": "embed routine enquiry about domestic abuse in primary care consultations, ensuring that patients are seen alone for at least part of each appointment"
    },
    "housing": {
        "verb": "revise {its} homelessness assessment procedure so that a disclosure of domestic abuse triggers a risk assessment and an offer of referral to the specialist domestic abuse service",
    },
    "mhrel": {
        "verb": "ensure that assessments of service users include an exploration of their intimate relationships and of any risk they may pose to a partner",
        "more": "Where a risk is identified, practitioners should record the action taken and share the information with the GP and, where appropriate, with the police.",
    },
    "idva": {
        "verb": "evaluate the capacity of the IDVA service against the number of high-risk referrals received in {area}, and report the findings to the partnership board within six months"
    },
    "coercive": {
        "verb": "deliver multi-agency training on coercive and controlling behaviour",
        "more": "The training should draw on the learning from this review and should be evaluated for its impact on practice.",
        "bullets": [
            "how controlling behaviour may present in health and housing settings;",
            "the offence under section 76 of the Serious Crime Act 2015;",
            "how to support a victim who is reluctant to engage.",
        ],
    },
    "family": {
        "verb": "publicise to families, friends and colleagues how they can raise concerns about domestic abuse, including through the Domestic Violence Disclosure Scheme (“Clare’s Law”)"
    },
    "records": {
        "verb": "audit {its} case records to confirm that domestic abuse markers are applied consistently and are visible to practitioners when a new contact is made"
    },
    "probation": {
        "verb": "strengthen the sharing of information about people on licence who are known perpetrators of domestic abuse, so that a change of address or of relationship is notified promptly",
    },
    "children": {
        "verb": "ensure that assessments consider the impact on children of living with domestic abuse, even where the children have not been physically harmed",
        "more": "Managers should confirm in supervision that the views of the children have been sought and recorded.",
    },
    "alcohol": {
        "verb": "review pathways between substance misuse services and domestic abuse services, so that a perpetrator’s alcohol use is not treated as the sole explanation for violent behaviour"
    },
    "supervision": {
        "verb": "introduce reflective supervision for practitioners working with high-risk domestic abuse cases, with a focus on the cumulative picture of risk"
    },
    "ed": {
        "verb": "ensure that emergency department staff ask about domestic abuse when a patient presents with an injury that is inconsistent with the explanation given",
        "bullets": [
            "staff should document the explanation in the patient’s own words;",
            "the safeguarding team should be informed the same day.",
        ],
    },
    "employer": {
        "verb": "work with local employers to promote workplace policies on domestic abuse, recognising that colleagues are often the first to notice a change in behaviour"
    },
    "dissem": {
        "verb": "disseminate the learning from this review through a seven-minute briefing and a practitioner learning event, and monitor the implementation of the action plan"
    },
    "stalking": {
        "verb": "make sure that reports of stalking and harassment by a former partner are risk assessed using the recognised stalking screening tool and referred to specialist support"
    },
    "gp": {
        "verb": "remind GP practices of the importance of recording third-party concerns about domestic abuse and of sharing them with the safeguarding lead",
        "more": "The reminder should be issued through the safeguarding newsletter and repeated at the next round of practice leads’ meetings.",
    },
    "dvpn": {
        "verb": "review the use of Domestic Violence Protection Notices and Orders in {area} and consider whether they were used in every case where they were available"
    },
    "perp": {
        "verb": "commission a perpetrator programme that is accessible to people who have not been convicted of an offence, and promote it to GPs and mental health services"
    },
    "interp": {
        "verb": "ensure that professional interpreters, and never family members, are used when a victim’s first language is not English"
    },
    "threshold": {
        "verb": "agree a shared definition of escalation for use by all agencies in {area}, so that repeat incidents below the high-risk threshold are reviewed together",
        "more": "The agreed definition should be reflected in each agency’s domestic abuse policy and in the MARAC operating protocol.",
    },
    "aftercare": {
        "verb": "ensure that a victim who declines support is offered a further contact within twenty-eight days and that the decision to close the case is recorded with reasons"
    },
    "quality": {
        "verb": "undertake a quality assurance audit of DASH risk assessments completed by {its} officers over the last twelve months and share the outcome with the review panel"
    },
    "safeplan": {
        "verb": "ensure that safety plans are reviewed whenever a victim’s circumstances change, in particular on separation, a change of address or the release of the perpetrator from custody"
    },
}


@dataclass
class Rec:
    """One recommendation as the docx prints it, with its ground truth."""

    number: str
    paragraphs: list[str]
    bullets: list[str] = field(default_factory=list)
    addressees: list[str] = field(default_factory=list)
    agency_lines: list[str] = field(default_factory=list)  # the agency cell, line by line
    source: str = "list"
    marker: str = ""  # the printed label that must come straight before the text
    tail: list[str] = field(default_factory=list)  # paragraphs after the bullets

    @property
    def text(self) -> str:
        """The ground-truth text: paragraphs, bullets, then any closing paragraphs."""
        return " ".join(self.paragraphs + self.bullets + self.tail)


def its(addressees: list[str]) -> str:
    """The possessive for the addressees."""
    return "its" if len(addressees) == 1 else "their"


def fill(template: str, addressees: list[str], ctx: dict[str, str]) -> dict:
    """The template's parts with placeholders filled."""
    spec = TEMPLATES[template]
    values = dict(ctx, its=its(addressees))
    return {
        "verb": spec["verb"].format(**values),
        "more": spec.get("more", "").format(**values),
        "bullets": [b.format(**values) for b in spec.get("bullets", [])],
    }


def imperative(template: str, addressees: list[str], ctx: dict[str, str]) -> tuple:
    """Paragraphs and bullets for a table cell: "Review the training ..." form."""
    parts = fill(template, addressees, ctx)
    verb = parts["verb"]
    first = verb[0].upper() + verb[1:] + ("" if parts["bullets"] else ".")
    if parts["bullets"]:
        first += ", covering:" if not parts["more"] else "."
    paras = [first] + ([parts["more"]] if parts["more"] else [])
    return paras, parts["bullets"]


def sentence(template: str, addressees: list[str], ctx: dict[str, str], style: str) -> tuple:
    """Paragraphs and bullets for a list item: "That X review ..." or "X should review ..."."""
    parts = fill(template, addressees, ctx)
    names = (
        " and ".join(addressees)
        if len(addressees) < 3
        else (", ".join(addressees[:-1]) + " and " + addressees[-1])
    )
    lead = f"That {names} " if style == "that" else f"{names} should "
    first = lead + parts["verb"]
    first += (", covering:" if not parts["more"] else ".") if parts["bullets"] else "."
    paras = [first] + ([parts["more"]] if parts["more"] else [])
    return paras, parts["bullets"]
