"""Seeded prose for the report's narrative sections (our own wording, no real case)."""

import random

# Sentences by topic. Placeholders: {v} victim, {p} perpetrator, {area}, {csp} (full CSP
# name), {police}, {council}, {health} (acute trust), {mh} (mental health trust),
# {icb}, {das} (specialist domestic abuse service), {year}.
POOLS: dict[str, list[str]] = {
    "intro": [
        "This report examines how agencies in {area} responded to {v} and to {p} in the years before {v}’s death in {year}.",
        "The review panel offers its sincere condolences to {v}’s family, who have shown great courage in sharing their memories.",
        "The purpose of a domestic homicide review is not to apportion blame but to identify the lessons to be learned and to translate them into practical improvements.",
        "Pseudonyms have been used throughout the report to protect the identity of the family; the family chose the names themselves.",
        "The review was conducted in accordance with the Home Office statutory guidance for the conduct of domestic homicide reviews.",
        "Where the report refers to practitioners, it does so in order to understand the organisational context in which decisions were made, not to criticise individuals.",
    ],
    "process": [
        "Each agency that had contact with {v} or {p} was asked to secure its records and to provide a chronology of its involvement.",
        "Individual management reviews were requested from agencies with significant involvement, and short reports from those with limited contact.",
        "The panel met on six occasions between the autumn of {year} and the following summer, with additional meetings held virtually.",
        "Panel members were independent of any line management responsibility for the practitioners whose work was examined.",
        "The criminal trial concluded before the review was finalised, which allowed the panel to consider the evidence heard in court.",
        "Delays in the process arose from the need to await the outcome of the inquest and from the availability of key witnesses.",
        "The chair met practitioners from several agencies in a learning event, which helped the panel to understand the pressures on frontline services.",
        "Information was shared under the provisions of the statutory guidance, and all documents were handled in accordance with their security classification.",
    ],
    "family": [
        "{v}’s sister described her as warm, generous and fiercely protective of her children.",
        "The family told the review that {v} had gradually withdrawn from friends, and that visits became rare and closely supervised.",
        "Friends recalled that {p} would telephone {v} repeatedly whenever she was out, demanding to know where she was and who she was with.",
        "The family felt that nobody had explained to them what help was available, or how they could raise their concerns confidentially.",
        "The chair is grateful to the family for reading the draft report and for their thoughtful comments, which have been incorporated.",
        "{v}’s mother said that she had never heard the term “coercive control” until after her daughter’s death.",
    ],
    "background": [
        "{v} and {p} met in {area} and began living together within a few months of their first meeting.",
        "{v} worked part-time in a local shop and was described by her employer as reliable and well liked.",
        "{p} had a history of alcohol misuse and had been known to probation following an earlier conviction for criminal damage.",
        "There were two children in the household, both of whom attended a local primary school.",
        "The couple moved address three times in two years, each time following a dispute with a landlord or with neighbours.",
        "{p} had previously been in a relationship in which police attended reports of domestic abuse on several occasions.",
        "{v} had registered with a new GP practice after the move and attended appointments for anxiety and low mood.",
    ],
    "chronology": [
        "In the spring, police were called by a neighbour who heard shouting and the sound of breaking glass.",
        "Officers completed a DASH risk assessment, which was graded as standard risk, and no further action was taken.",
        "{v} attended the emergency department at {health} with a wrist injury, which she said was caused by a fall.",
        "A referral was made to the MARAC after a second incident in which {p} was arrested for assault.",
        "The IDVA service attempted to contact {v} on four occasions but was unable to speak with her safely.",
        "{p} was assessed by {mh} following a period of low mood and was discharged back to the care of his GP.",
        "{council}’s housing service received an application from {v}, who said that she needed to leave the property urgently.",
        "Children’s social care completed an assessment and closed the case, concluding that the children were not at risk of significant harm.",
        "The GP recorded that {v} appeared anxious and was accompanied by {p}, who answered many of the questions on her behalf.",
        "Three weeks before her death, {v} told a colleague that she was frightened of {p} and intended to end the relationship.",
    ],
    "analysis": [
        "The panel considered whether the risk to {v} was understood and whether it was shared effectively between agencies.",
        "Risk assessments were completed as isolated events rather than as part of a cumulative picture of escalating abuse.",
        "Practitioners did not always demonstrate “professional curiosity”, accepting explanations at face value when further questions were warranted.",
        "The MARAC did not receive the full history of previous incidents, because information held by other agencies was not consistently shared.",
        "There was little evidence that agencies recognised the controlling and coercive behaviour described by {v}’s family.",
        "Routine enquiry about domestic abuse was not undertaken at several health appointments where it would have been appropriate.",
        "The review heard that caseloads in the specialist domestic abuse service were high, which limited the capacity for persistent engagement.",
        "Information about {p}’s previous relationship was held by police but was not considered when the later risk assessments were graded.",
        "The response of the housing service was supportive, but the urgency of {v}’s situation was not communicated to other agencies.",
        "Mental health services focused on {p}’s presenting needs and did not explore his relationships or the risk he might pose to others.",
        "The panel found that the absence of a shared understanding of the DASH risk checklist led to inconsistent thresholds between agencies.",
        "Good practice was also identified, including the prompt and compassionate response of the ambulance service on the night of the incident.",
        "{das} offered flexible appointments and outreach, which the panel regards as an example of good practice.",
        "The panel noted that the impact of the pandemic on face-to-face contact made it harder for practitioners to see {v} alone.",
    ],
    "equality": [
        "The panel considered each of the protected characteristics under the Equality Act 2010.",
        "Sex is a relevant characteristic, as the large majority of victims of domestic homicide are women killed by a male partner or former partner.",
        "The review found no evidence that disability, race or religion affected the services that {v} received.",
        "{v}’s economic dependence on {p} limited the options that she felt were available to her.",
    ],
    "conclusion": [
        "The panel concluded that {v}’s death could not have been predicted, but that there were missed opportunities to understand the risk she faced.",
        "The lessons identified in this review are not new; they echo findings from reviews elsewhere in England and Wales.",
        "Agencies have already begun to make changes in response to the emerging findings, and the panel welcomes this commitment.",
        "Had the information held by individual agencies been brought together, a fuller picture of the abuse might have emerged.",
        "The panel hopes that the review will contribute to a culture in which practitioners feel confident to ask about domestic abuse.",
    ],
}


class Prose:
    """Draws sentences without repeats until a topic's pool is used up."""

    def __init__(self, seed: int, ctx: dict[str, str]) -> None:
        self.rng = random.Random(seed)
        self.ctx = ctx
        self.left: dict[str, list[str]] = {}

    def sentence(self, topic: str) -> str:
        """One sentence of the topic, filled in."""
        if not self.left.get(topic):
            pool = list(POOLS[topic])
            self.rng.shuffle(pool)
            self.left[topic] = pool
        return self.left[topic].pop().format(**self.ctx)

    def paragraph(self, topic: str, sentences: int = 4) -> str:
        """A paragraph of `sentences` sentences on one topic."""
        chosen: list[str] = []
        while len(chosen) < sentences:
            text = self.sentence(topic)
            if text not in chosen:  # a refilled pool may offer a sentence just used
                chosen.append(text)
        return " ".join(chosen)
