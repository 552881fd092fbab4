"""The phrases that signal each event, as data. Rule-based on purpose: every proposal can say which
words it rests on. A sentence that only talks about a possibility ("if there is a need to extend") is
not a signal: HEDGES screens those out."""

from __future__ import annotations

import re

IGNORE = re.I

HEDGES = re.compile(
    r"\b(?:if\s+(?:there\s+is|we|it|you|I\s+can|the)|should\s+(?:a|the|we|there)|may\s+be\s+extended|may\s+extend|"
    r"in\s+the\s+event|in\s+limited\s+circumstances|let\s+me\s+know|feel\s+free|any\s+questions|unless\s+the\s+nature|"
    r"will\s+notify\s+you|be\s+contacted|allows?\s+that\s+we\s+may|you\s+may\s+(?:contact|appeal|file|seek|ask))",
    IGNORE,
)

ACKNOWLEDGED = re.compile(
    r"\b(?:acknowledg(?:e|es|ing|ment\s+of)\s+(?:the\s+)?receipt\s+of\s+your\s+(?!payment|check|fee)|"
    r"this\s+(?:letter|email|e-mail|message|is)\s+(?:is\s+)?(?:to\s+)?acknowledg|is\s+an\s+acknowledg|"
    r"(?:is|are)\s+in\s+receipt\s+of\s+your|(?:we|office|department|ministry|agency)\s+(?:has\s+|have\s+)?received\s+your\s+"
    r"(?:request|freedom|public|foi|letter|e-?mail)|has\s+been\s+assigned\s+(?:the\s+)?(?:tracking|reference|request|file|control)\s+number|"
    r"received\s+your\s+request\s+for\s+access)",
    IGNORE,
)
EXTENSION = re.compile(
    r"\b(?:(?:is|are|be|been|being|has\s+been|have\s+been)\s+extended|invok(?:e|es|ed|ing)\s+(?:an?|the)\s+(?:\w+\s+){0,2}extension|"
    r"extending\s+the\s+(?:\w+\s+){0,2}(?:due\s+date|time|deadline|period)|tak(?:e|ing)\s+(?:an?|the)\s+(?:\w+\s+){0,2}extension|"
    r"(?:need|require)s?\s+(?:an?\s+)?(?:additional|further|extra)\s+(?:\w+\s+){0,2}(?:business|working|calendar)?\s*days?\s+to\s+respond|"
    r"extension\s+of\s+(?:time|the\s+(?:time|deadline|due\s+date))\s+(?:is|has\s+been)\s+(?:needed|necessary|taken|invoked)|"
    r"(?:sought|took|invoked|claimed)\s+(?:a|an|the)\s+(?:\w+\s+){0,3}extension)",
    IGNORE,
)
FEE_ESTIMATE = re.compile(
    r"\b(?:(?:fees?|costs?|charges?)\b[^.]{0,60}\b(?:estimat\w*|will\s+(?:be|cost|total)|total|amounts?\s+to|is|are)\b|"
    r"estimat\w*\s+(?:fees?|costs?|charges?)|fee\s+estimate|(?:cost|fee)\s+(?:estimate\s+)?of\s+\$)",
    IGNORE,
)
FEE_PAST = re.compile(r"\b(?:further\s+to|our\s+(?:letter|email)\s+dated|previously|waive)", IGNORE)
FEE_PAID = re.compile(
    r"\b(?:receipt\s+of\s+your\s+(?:payment|check|cheque|fee)|(?:received|receiving)\s+your\s+(?:payment|check|cheque)|"
    r"payment\s+(?:has\s+been|was)\s+received)",
    IGNORE,
)
AMOUNT = re.compile(r"\$\s?(?P<amount>\d{1,3}(?:,\d{3})*(?:\.\d{2})?|\d+(?:\.\d{2})?)(?!\d)")
RELEASE = re.compile(
    r"\b(?:(?:records?|documents?|copies|pages|files?|spreadsheet|materials?|data|responsive\s+\w+)\b[^.]{0,80}?\b"
    r"(?:(?:is|are)\s+(?:being\s+)?(?:enclosed|attached|released|produced|provided)|(?:has|have)\s+been\s+(?:released|produced))|"
    r"(?:enclosed|attached)\s+(?:please\s+find|are|is)\s+(?!a\s+copy\s+of\s+(?:your|the)\s+request)|"
    r"the\s+enclosed\s+(?:documents?|records?|pages|files?|copies|materials?)|appropriate\s+for\s+release|"
    r"copies\s+are\s+enclosed|(?:we\s+are|I\s+am)\s+(?:releasing|producing|providing)\s+(?:the\s+|you\s+with\s+)?(?:records?|documents?|copies))",
    IGNORE,
)
INTERIM = re.compile(
    r"\b(?:first|second|third|interim|rolling|partial)\s+(?:installment|release|production|response)|"
    r"(?:next|further|additional|remaining)\s+(?:installment|release|production|records?\s+will\s+be\s+(?:released|provided|produced))",
    IGNORE,
)
DENIAL = re.compile(
    r"\b(?:(?:is|are|be|been)\s+(?:hereby\s+)?denied|den(?:y|ying)\s+your\s+request|"
    r"(?:must|will)\s+(?:necessarily\s+)?be\s+withheld|(?:are|is)\s+being\s+withheld|withheld\s+in\s+(?:full|(?:its|their)\s+entirety)|"
    r"(?:is|are)\s+(?:also\s+)?exempt\s+from\s+(?:disclosure|release))",
    IGNORE,
)
WITHHELD = re.compile(
    r"\b(?:redact(?:ed|ion|ions)|withh(?:e|o)ld(?:ing)?|excis(?:ed|ions?)|(?:is|are)\s+exempt\s+from|partial(?:ly)?\s+(?:grant|den))",
    IGNORE,
)
NOT_WITHHELD = re.compile(r"\bwithout\s+(?:any\s+)?(?:excisions?|redactions?|withholding)", IGNORE)
NO_RECORDS = re.compile(
    r"\b(?:(?:unable|not\s+able)\s+to\s+(?:locate|find|identify)\s+any|(?:did|could)\s+not\s+(?:locate|find|identify)\s+any|"
    r"no\s+(?:responsive\s+)?(?:records|documents)\s+(?:were\s+)?(?:located|found|exist|responsive)|"
    r"(?:has|have)\s+no\s+(?:responsive\s+)?(?:records|documents))",
    IGNORE,
)
CLARIFICATION = re.compile(
    r"\b(?:please\s+clarify|clarify\s+(?:your|the|which|what|whether)|(?:request|it)\s+(?:requires|needs)\s+(?:further|additional|more)\s+"
    r"(?:information|clarification|detail)|(?:need|require)\s+(?:further|additional|more)\s+(?:information|clarification|details?)\s+"
    r"(?:from\s+you|about|regarding|to\s+process|before)|(?:narrow|modify|reformulate|rephrase)\s+your\s+request|"
    r"(?:could|would|can)\s+you\s+(?:please\s+)?(?:clarify|narrow|specify|confirm\s+whether))",
    IGNORE,
)
CLARIFICATION_HEDGES = re.compile(
    r"\b(?:if\s+I\s+can\s+clarify|were\s+clarified|was\s+clarified|let\s+me\s+know\s+if)", IGNORE
)

TRACKING = re.compile(
    r"(?:FOIA\s+FILE\s+NO\.?|File\s+No\.?|FOIA\s+(?:request\s+)?(?:No\.?|number|#)|(?:tracking|reference|request|file|case|control)\s+"
    r"(?:number|no\.?|#)(?:\s+is|\s+of|\s+assigned)?|\bRe:|\bOur\s+(?:file|ref(?:erence)?)\.?|^\s*File:)\s*:?\s*"
    r"(?P<number>[A-Z0-9][A-Za-z0-9\-/.\[\]_]{2,40}[A-Za-z0-9\]])",
    IGNORE | re.M,
)
PLACEHOLDER = re.compile(r"\[[A-Z][A-Z0-9_ ]{2,40}\]|\bXX+\b")
PROMISE = re.compile(
    r"\b(?:on\s+or\s+before|no\s+later\s+than|not\s+later\s+than|up\s+to\s+and\s+including|forthcoming\s+by|by|until|"
    r"due\s+date\s+is|response\s+date\s+is|due\s+date\s+of|within|expect(?:ed)?\s+to|will\s+(?:be\s+)?(?:respond|provided?|made|make|complete[d]?|issued?|sent))\b",
    IGNORE,
)
# After a promise word: what a date-like phrase we cannot turn into a date looks like.
VAGUE_DATE = re.compile(
    r"\b(?:on\s+or\s+before|no\s+later\s+than|not\s+later\s+than|by|until|due\s+date\s+is|response\s+date\s+is|new\s+due\s+date\s+is)\s+"
    r"(?P<phrase>(?:the\s+)?(?:end|middle|beginning|close|start)\s+of\s+(?:the\s+|this\s+|next\s+)?\w+(?:\s+\w+)?|"
    r"(?:early|mid|late)[-\s]\w+|next\s+\w+|\[[A-Z][A-Z0-9_ ]{2,40}\]|[A-Z][a-z]+\s+\d{1,2}(?:st|nd|rd|th)?(?![,\s]*\d{4}))",
    IGNORE,
)
# Where a section is cited for an extension and records.review.exemptions does not know the law.
EXTENSION_SECTIONS = [
    (re.compile(r"552\s*\(\s*a\s*\)\s*\(\s*6\s*\)\s*\(\s*B\s*\)(?:\s*\(\s*[ivx]+\s*\))?", IGNORE), "5 U.S.C. {text}"),
    (
        re.compile(
            r"section\s+(?P<n>\d+(?:\(\d\))?)\s+of\s+(?:the\s+)?(?:FOIPPA|Freedom\s+of\s+Information\s+and\s+Protection)",
            IGNORE,
        ),
        "FOIPPA s. {n}",
    ),
]
