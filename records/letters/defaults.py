"""The shipped wording of each kind of letter: generic ones that cite the statute through placeholders,
and FOIA / CPRA ones where the law differs. Seeded as templates with no team (migration 0014) and
used from here when no such row exists.

Compared with real letters in ../shared/corpus/formats (OCSD's CPRA extension, DOJ OIP's FOIA
response, the Chicago Police Board's FOIA emails): each carries the date, the addressee, a "Re:" line
with the agency's tracking number, the received date, the section invoked and the period or date.
"""

from __future__ import annotations

HEAD = """{{ today }}

{{ agency.records_officer }}
{{ agency.name }}
{{ agency.address }}
{{ agency.email }}

Re: {{ statute.name }} request: {{ request.title }}
Our reference: {{ request.reference }} · Your tracking number: {{ request.tracking_number }}

Dear {{ agency.records_officer }}:
"""

SIGN_OFF = """
Sincerely,

{{ requester.name }}
{{ team.name }}
"""

GENERIC: dict[str, tuple[str, str]] = {
    "initial": (
        "{{ statute.name }} request: {{ request.title }}",
        """Under the {{ statute.name }} ({{ statute.citation }}), I request copies of the following records:

{{ request.text }}

The law requires a response within {{ statute.response_period }} of receipt ({{ statute.response_citation }}). \
If you withhold any record or part of one, please cite the exemption that applies to each withholding and \
release every part that is not exempt. If you expect fees, please tell me before incurring them.

Please send records electronically where they exist in that form, and quote our reference \
{{ request.reference }} in your reply.""",
    ),
    "follow_up": (
        "Overdue: {{ statute.name }} request {{ request.reference }} ({{ request.title }})",
        """On {{ request.sent_date }} I sent you a request under the {{ statute.name }} ({{ statute.citation }}) \
for: {{ request.title }}. You received it on {{ request.received_date }}.

The law gives the agency {{ statute.response_period }} to respond ({{ statute.response_citation }}), with an \
extension of at most {{ statute.extension_period }} where the law allows one ({{ statute.extension_citation }}). \
The response was due on {{ request.due_date }} and is now {{ request.days_overdue }} days overdue.

Please tell me by return when I will receive the records or your determination, and release any records \
that are ready now.""",
    ),
    "appeal": (
        "Appeal: {{ statute.name }} request {{ request.reference }} ({{ request.title }})",
        """I appeal the agency's response to my request under the {{ statute.name }} ({{ statute.citation }}) \
for: {{ request.title }}, sent on {{ request.sent_date }} and received on {{ request.received_date }}.

This appeal is made within the {{ statute.appeal_window }} the law allows ({{ statute.appeal_window_citation }}). \
The records are public, and the agency has not shown that an exemption applies to each record or part of a \
record it withheld. Please reverse the denial, release the records, and decide this appeal within \
{{ statute.appeal_decision_period }}.""",
    ),
    "fee_waiver": (
        "Fee-waiver request: {{ statute.name }} request {{ request.reference }}",
        """For my request under the {{ statute.name }} ({{ statute.citation }}) for: {{ request.title }}, \
I ask that all fees be waived or reduced.

Disclosure is in the public interest: the records concern the operations of the agency, we will publish \
what we learn, and we seek them for no commercial purpose. If you deny this request, please explain why and \
tell me the fees before incurring them.""",
    ),
    "expedited": (
        "Request for expedited processing: {{ request.reference }} ({{ request.title }})",
        """For my request under the {{ statute.name }} ({{ statute.citation }}) for: {{ request.title }}, \
I ask that you process it as quickly as possible.

The records concern a matter of current public interest that we are reporting on now, and their value to \
the public will be lost with delay. The law's ordinary period is {{ statute.response_period }} \
({{ statute.response_citation }}); please respond sooner, and release records as they become ready.""",
    ),
}

# Where a statute's own law differs from the generic wording.
SPECIFIC: dict[tuple[str, str], tuple[str, str]] = {
    ("FOIA", "appeal"): (
        "FOIA appeal: request {{ request.tracking_number }} ({{ request.title }})",
        """I appeal, under the Freedom of Information Act, 5 U.S.C. 552(a)(6)(A)(ii), the adverse determination \
on my request {{ request.tracking_number }} (our reference {{ request.reference }}) for: {{ request.title }}, \
received by the agency on {{ request.received_date }}.

This appeal is filed within the {{ statute.appeal_window }} the Act allows after an adverse determination \
({{ statute.appeal_window_citation }}). The agency must decide it within {{ statute.appeal_decision_period }} \
({{ statute.appeal_decision_citation }}).

The agency has not shown that a FOIA exemption applies to each withheld record or part of one, nor that it \
reasonably foresees harm to an interest the exemption protects (5 U.S.C. 552(a)(8)(A)). Please release \
every reasonably segregable, non-exempt portion (5 U.S.C. 552(b)) and reverse the denial.""",
    ),
    ("FOIA", "fee_waiver"): (
        "FOIA fee-waiver request: {{ request.reference }} ({{ request.title }})",
        """For my Freedom of Information Act request (tracking number {{ request.tracking_number }}; our \
reference {{ request.reference }}) for: {{ request.title }}, I request a waiver of all fees under \
5 U.S.C. 552(a)(4)(A)(iii).

Disclosure of the records is in the public interest because it is likely to contribute significantly to \
public understanding of the operations or activities of the government, and it is not primarily in my \
commercial interest. {{ team.name }} gathers information of interest to the public, turns it into distinct \
work and distributes it to an audience; we also ask to be placed in the news-media fee category \
(5 U.S.C. 552(a)(4)(A)(ii)(II)).

If you deny the waiver, please tell me the estimated fees before incurring them.""",
    ),
    ("FOIA", "expedited"): (
        "FOIA request for expedited processing: {{ request.reference }} ({{ request.title }})",
        """For my Freedom of Information Act request (tracking number {{ request.tracking_number }}; our \
reference {{ request.reference }}) for: {{ request.title }}, I request expedited processing under \
5 U.S.C. 552(a)(6)(E).

There is a compelling need (5 U.S.C. 552(a)(6)(E)(v)(II)): {{ team.name }} is primarily engaged in \
disseminating information, and there is an urgency to inform the public about actual or alleged federal \
government activity. The agency must decide whether to expedite within 10 days \
({{ statute.expedited_citation }}).

I certify that these statements are true and correct to the best of my knowledge and belief \
(5 U.S.C. 552(a)(6)(E)(vi)).""",
    ),
    ("CPRA", "appeal"): (
        "Demand for compliance with the California Public Records Act: {{ request.reference }}",
        """The California Public Records Act has no administrative appeal, so please bring this letter to the \
head of {{ agency.name }}: it is our final request before we consider a petition to enforce the Act \
under Gov. Code 7923.000 and following.

On {{ request.sent_date }} I requested, under the Act ({{ statute.citation }}): {{ request.title }} \
(your reference {{ request.tracking_number }}). You received it on {{ request.received_date }}. The Act \
required a determination within {{ statute.response_period }} ({{ statute.response_citation }}), extended \
by at most {{ statute.extension_period }} by written notice ({{ statute.extension_citation }}).

The agency has withheld records without justifying each withholding under an express exemption \
(Gov. Code 7922.000) and without releasing the reasonably segregable parts (Gov. Code 7922.525). Please \
reconsider and release the records. If we must petition the court, the Act awards court costs and \
reasonable attorney's fees to a requester who prevails (Gov. Code 7923.115).""",
    ),
    ("CPRA", "fee_waiver"): (
        "CPRA request {{ request.reference }}: fees",
        """For my request under the California Public Records Act ({{ statute.citation }}) for: \
{{ request.title }}, please note that the Act allows only the direct cost of duplication, or a statutory \
fee (Gov. Code 7922.530(a)); no fee may be charged for searching, reviewing or redacting records, and \
records provided electronically carry no duplication cost. Please waive any fee that remains, as disclosure \
serves the public interest, and tell me the amount before incurring it.""",
    ),
    ("CPRA", "expedited"): (
        "CPRA request {{ request.reference }}: please respond promptly",
        """The California Public Records Act has no expedited-processing procedure, but it requires that \
records be made promptly available (Gov. Code 7922.530(a)) and that the agency determine within \
{{ statute.response_period }} whether it will disclose them ({{ statute.response_citation }}).

My request ({{ request.title }}) concerns a matter we are reporting on now. Please release the records \
as they become ready rather than all at once, and do not wait for the end of the period to do so.""",
    ),
}


def default_text(kind: str, statute_code: str | None = None) -> tuple[str, str]:
    """(subject, body) of the shipped letter for this kind and statute."""
    subject, body = SPECIFIC.get((statute_code or "", kind)) or GENERIC[kind]
    return subject, HEAD + "\n" + body + "\n" + SIGN_OFF
