"""The statutes the tracker ships: plain dicts, one per public-records law, in the fields of
records.deadlines.Rule and records.models.Statute. ✅/◐/⚠ as in the statutes notes (shared/statutes.md);
⚠ lines reach the working of every date.

Migration 0002 seeded a frozen copy of the first version; 0013 froze the corrections of the holiday audit.
A deployed tracker receives later corrections with `python manage.py update_statutes` (shows the diff;
`--apply` writes it; a team's own edits are kept unless `--force CODE`). When you change a statute here,
bump DATA_VERSION, say why in its comment, and freeze the change in a new data migration as 0013 does, so
a fresh database starts current (tests/test_statute_updates.py checks that it does).
"""

from __future__ import annotations

from typing import Any

# 1: the seed of migration 0002. 2: the holiday-calendar audit (issue 10), with its citations.
DATA_VERSION = 2

STATUTES: dict[str, dict[str, Any]] = {
    "FOIA": {
        "code": "FOIA",
        "name": "Freedom of Information Act",
        "citation": "5 U.S.C. 552",
        "calendar": "US-FED",
        "response_days": 20,
        "response_unit": "business",
        "response_citation": "5 U.S.C. 552(a)(6)(A)(i)",
        "extension_days": 10,
        "extension_unit": "business",
        "extension_citation": "5 U.S.C. 552(a)(6)(B)(i)",
        "roll_forward": False,  # no roll-forward in the statute: a calendar period ending on a holiday is flagged
        "tolling_allowed": True,
        "tolling_citation": "5 U.S.C. 552(a)(6)(A)(ii)(I)-(II)",
        "appeal_window_days": 90,
        "appeal_window_unit": "calendar",
        "appeal_window_citation": "5 U.S.C. 552(a)(6)(A)(i)(III)(aa)",
        "appeal_decision_days": 20,
        "appeal_decision_unit": "business",
        "appeal_decision_citation": "5 U.S.C. 552(a)(6)(A)(ii)",
        "expedited_days": 10,
        "expedited_unit": "calendar",
        "expedited_citation": "5 U.S.C. 552(a)(6)(E)(ii)",
        "notes": (
            "Clock starts when the proper component receives the request, no later than 10 working days after any designated component does ((a)(6)(A)(ii)).\n"
            "Tolling: once to ask the requester for information, and for fee clarification; the clock restarts when the answer arrives. No other tolling.\n"
            "Unusual circumstances: up to 10 more working days with written notice; applies to appeals too ((a)(6)(B)).\n"
            "Appeal window: at least 90 days after an adverse determination; an agency's rule may give more.\n"
            "Missed deadline: constructive exhaustion, the requester may sue ((a)(6)(C)(i)); search fees generally barred ((a)(4)(A)(viii), ◐).\n"
            "Some agencies count the receipt day as day 1 (Interior: 43 CFR 2.16(a)): not modelled here."
        ),
    },  # fmt: skip
    "CPRA": {
        "code": "CPRA",
        "name": "California Public Records Act",
        "citation": "Cal. Gov. Code 7920.000 et seq.",
        "calendar": "CA-JUDICIAL",
        "response_days": 10,
        "response_unit": "calendar",
        "response_citation": "Cal. Gov. Code 7922.535(a)",
        "extension_days": 14,
        "extension_unit": "calendar",
        "extension_citation": "Cal. Gov. Code 7922.535(b)",
        "roll_forward": True,  # Code Civ. Proc. 12a (◐), 12b
        "notes": (
            "Calendar days under current law (◐); AB 1821 (2026, pending) would make both periods business days.\n"
            "Extension: written notice with reasons and an expected date, no more than 14 days; unusual circumstances in 7922.535(c).\n"
            "Holidays: judicial holidays (CCP 135, Rules of Court 1.11) and days the agency's office is closed (CCP 12b).\n"
            "⚠ No administrative appeal: the remedy is a petition for writ of mandate."
        ),
    },  # fmt: skip
    "NY-FOIL": {
        "code": "NY-FOIL",
        "name": "New York Freedom of Information Law",
        "citation": "N.Y. Pub. Off. Law 84-90",
        "calendar": "NY",
        "response_days": 5,
        "response_unit": "business",
        "response_citation": "N.Y. Pub. Off. Law 89(3)(a)",
        "roll_forward": True,  # Gen. Constr. Law 25-a
        "appeal_window_days": 30,
        "appeal_window_unit": "calendar",
        "appeal_window_citation": "N.Y. Pub. Off. Law 89(4)(a)",
        "appeal_decision_days": 10,
        "appeal_decision_unit": "business",
        "appeal_decision_citation": "N.Y. Pub. Off. Law 89(4)(a)",
        "notes": (
            "Within 5 business days: grant, deny or acknowledge. After an acknowledgment: grant within 20 business days of it, or give a reasonable date certain (89(3)(a)); not computed here.\n"
            "Appeal: 30 days; decision within 10 business days (89(4)(a), ◐).\n"
            "Holidays (audited): the public holidays of Gen. Constr. Law 24, incl. Lincoln's Birthday (Feb 12), Columbus Day and each general election day, close state offices: not business days. Only a Sunday holiday moves (to Monday): a Saturday holiday's Friday is a business day.\n"
            "Gen. Constr. Law 25-a rolls a deadline that falls on a weekend or public holiday to the next business day."
        ),
    },  # fmt: skip
    "TX-PIA": {
        "code": "TX-PIA",
        "name": "Texas Public Information Act",
        "citation": "Tex. Gov't Code ch. 552",
        "calendar": "TX",
        "response_days": None,
        "response_citation": 'Tex. Gov\'t Code 552.221 ("promptly")',
        "roll_forward": False,
        "notes": (
            'Produce "promptly" (552.221): no fixed period for production.\n'
            "To withhold, the body must ask the Attorney General for a ruling by the 10th business day (552.301) and brief by the 15th (◐).\n"
            "No administrative appeal; the Attorney General rules in 45 (+10) business days (◐).\n"
            "Mail with no provable receipt date is deemed received on the 3rd business day after the postmark (552.301(a-1)).\n"
            "Holidays (audited): a business day is not a weekend, a national holiday (662.003(a)) or a state holiday (662.003(b): incl. the day after Thanksgiving, Dec 24, Dec 26, Texas Independence Day, San Jacinto Day, LBJ Day) (552.0031): those are closed.\n"
            "Optional holidays (662.003(c): Cesar Chavez Day, Good Friday, Rosh Hashanah, Yom Kippur) and a weekend holiday's Friday or Monday count only where the body observes them: both dates shown. Rosh Hashanah and Yom Kippur are not on the calendar: add them as closure days for a body that observes them."
        ),
    },  # fmt: skip
    "IL-FOIA": {
        "code": "IL-FOIA",
        "name": "Illinois Freedom of Information Act",
        "citation": "5 ILCS 140",
        "calendar": "IL",
        "response_days": 5,
        "response_unit": "business",
        "response_citation": "5 ILCS 140/3(d)",
        "extension_days": 5,
        "extension_unit": "business",
        "extension_citation": "5 ILCS 140/3(e)",
        "roll_forward": True,  # 5 ILCS 70/1.11
        "appeal_window_days": 60,
        "appeal_window_unit": "calendar",
        "appeal_window_citation": "5 ILCS 140/9.5(a)",
        "notes": (
            "Silence past the deadline is a denial (3(d)). Request for review to the Public Access Counselor within 60 days (9.5(a)).\n"
            "Holidays (audited): the legal holidays of 5 ILCS 490, incl. Lincoln's Birthday (Feb 12) and general election day in even years, close state offices: not business days. Casimir Pulaski Day (a legal holiday; state offices open) and the day after Thanksgiving (state offices close; not in 5 ILCS 490) are disputed (not verified for every body): both dates shown.\n"
            "Roll-forward: a period whose last day is a Saturday, Sunday or holiday runs to the next day (5 ILCS 70/1.11)."
        ),
    },  # fmt: skip
    "FL-PRA": {
        "code": "FL-PRA",
        "name": "Florida Public Records Act",
        "citation": "Fla. Stat. ch. 119",
        "calendar": "FL",
        "response_days": None,
        "response_citation": 'Fla. Stat. 119.07(1)(c) ("reasonable")',
        "roll_forward": False,
        "notes": (
            'No fixed deadline: a "reasonable" time (119.07(1)(c)). Track an internal target, marked as such.\n'
            "No administrative appeal; 5 business days' written notice before suing to recover fees (119.12, ◐).\n"
            "Holidays (audited): state offices close on the paid holidays of Fla. Stat. 110.117 (incl. the Friday after Thanksgiving): closed. The other legal holidays of 683.01 (Lincoln's Birthday, Susan B. Anthony Day, Good Friday, Pascua Florida Day, Confederate Memorial Day, Flag Day, Columbus Day, general election day) leave offices open: both dates shown for an internal target."
        ),
    },  # fmt: skip
    "WA-PRA": {
        "code": "WA-PRA",
        "name": "Washington Public Records Act",
        "citation": "RCW 42.56",
        "calendar": "WA",
        "response_days": 5,
        "response_unit": "business",
        "response_citation": "RCW 42.56.520",
        "extension_citation": "RCW 42.56.520 (a reasonable estimate)",
        "roll_forward": False,
        "appeal_decision_days": 2,
        "appeal_decision_unit": "business",
        "appeal_decision_citation": "WAC 44-14-08001",
        "notes": (
            "Within 5 business days: provide, acknowledge with a reasonable estimate of time, or deny. The estimate is the agency's own: no fixed extension.\n"
            "Internal review is deemed complete after 2 business days (WAC 44-14-08001, ◐).\n"
            "Holidays (audited): the legal holidays of RCW 1.16.050 close state offices: not business days. The day after Thanksgiving is Native American Heritage Day, a legal holiday (RCW 1.16.050(1)): closed."
        ),
    },  # fmt: skip
    "PA-RTKL": {
        "code": "PA-RTKL",
        "name": "Pennsylvania Right-to-Know Law",
        "citation": "65 P.S. 67.101 et seq.",
        "calendar": "PA",
        "response_days": 5,
        "response_unit": "business",
        "response_citation": "65 P.S. 67.901",
        "extension_days": 30,
        "extension_unit": "calendar",
        "extension_citation": "65 P.S. 67.902",
        "roll_forward": True,  # 1 Pa.C.S. 1908
        "appeal_window_days": 15,
        "appeal_window_unit": "business",
        "appeal_window_citation": "65 P.S. 67.1101",
        "notes": (
            "No response within 5 business days is a deemed denial (67.901).\n"
            "Extension: up to 30 calendar days after the 5th business day, with notice (67.902).\n"
            "Appeal to the Office of Open Records within 15 business days (67.1101, ◐).\n"
            "Roll-forward: a period's last day on a weekend or legal holiday is omitted, so it runs to the next day (1 Pa.C.S. 1908).\n"
            "Holidays (audited): the legal holidays of 44 P.S. 11 that close Commonwealth offices are not business days. Flag Day (June 14) is a legal holiday but offices stay open; the day after Thanksgiving and Juneteenth close offices but are not verified as legal holidays: both dates shown."
        ),
    },  # fmt: skip
    "MA-PRL": {
        "code": "MA-PRL",
        "name": "Massachusetts Public Records Law",
        "citation": "G.L. c. 66 §10",
        "calendar": "MA",
        "response_days": 10,
        "response_unit": "business",
        "response_citation": "G.L. c. 66 §10(b)",
        "extension_days": 20,
        "extension_unit": "business",
        "extension_citation": "950 CMR 32.06",
        "roll_forward": False,
        "appeal_window_days": 90,
        "appeal_window_unit": "calendar",
        "appeal_window_citation": "950 CMR 32.08(1)",
        "notes": (
            "Extension by petition to the Supervisor of Records: 20 business days for an agency, 30 for a municipality (950 CMR 32.06); set extension_days to 30 for a municipality.\n"
            "Appeal to the Supervisor of Records within 90 calendar days of the response, or of the request where none came (950 CMR 32.08(1), ◐ citation).\n"
            "Holidays (audited): the legal holidays of G.L. c. 4 §7 cl. 18, incl. Patriots' Day (third Monday of April), close state offices: not business days. Evacuation Day (Mar 17) and Bunker Hill Day (Jun 17) close offices in Suffolk County only: both dates shown (add them as closure days for a Suffolk County agency).\n"
            "⚠ Roll-forward of the 90-day window not verified: G.L. c. 4 §9 moves a last day on a Sunday or legal holiday to the next business day, but says nothing of Saturday: both dates shown."
        ),
    },  # fmt: skip
    "MI-FOIA": {
        "code": "MI-FOIA",
        "name": "Michigan Freedom of Information Act",
        "citation": "MCL 15.231 et seq.",
        "calendar": "MI",
        "response_days": 5,
        "response_unit": "business",
        "response_citation": "MCL 15.235",
        "extension_days": 10,
        "extension_unit": "business",
        "extension_citation": "MCL 15.235",
        "roll_forward": True,  # MCL 8.6
        "appeal_window_days": 180,
        "appeal_window_unit": "calendar",
        "appeal_window_citation": "MCL 15.240",
        "appeal_decision_days": 10,
        "appeal_decision_unit": "business",
        "appeal_decision_citation": "MCL 15.240",
        "notes": (
            "Email is deemed received 1 business day after it is sent (15.235(1)): enter the deemed receipt date.\n"
            "Extension: once, up to 10 business days.\n"
            "Appeal decided in 10 business days; 180 days to sue (15.240).\n"
            "Roll-forward: a period's last day on a Saturday, Sunday or legal holiday runs to the next day that is none (MCL 8.6).\n"
            "Holidays (audited): the legal holidays of MCL 435.101 are not business days. State offices also close on Christmas Eve, New Year's Eve, the day after Thanksgiving and Election Day, which are no legal holidays and may find a local body open: both dates shown."
        ),
    },  # fmt: skip
    "NJ-OPRA": {
        "code": "NJ-OPRA",
        "name": "New Jersey Open Public Records Act",
        "citation": "N.J.S.A. 47:1A-1 et seq.",
        "calendar": "NJ",
        "response_days": 7,
        "response_unit": "business",
        "response_citation": "N.J.S.A. 47:1A-5(i)",
        "roll_forward": False,
        "appeal_window_days": 45,
        "appeal_window_unit": "calendar",
        "appeal_window_citation": "N.J.S.A. 47:1A-6",
        "notes": (
            "No response within 7 business days is a deemed denial (47:1A-5(i)).\n"
            "Commercial requests: 14 business days (P.L. 2024 c.16, ◐); not modelled as an extension.\n"
            "Challenge before the Government Records Council or the Superior Court within 45 days of the denial (47:1A-6, ◐ citation).\n"
            "Holidays (audited): the legal holidays of N.J.S.A. 36:1-1, incl. Lincoln's Birthday, Good Friday and general election day, close state offices: not business days.\n"
            "⚠ Roll-forward of the 45-day window not verified: both dates shown."
        ),
    },  # fmt: skip
    "GA-ORA": {
        "code": "GA-ORA",
        "name": "Georgia Open Records Act",
        "citation": "O.C.G.A. 50-18-70 et seq.",
        "calendar": "GA",
        "response_days": 3,
        "response_unit": "business",
        "response_citation": "O.C.G.A. 50-18-71(b)(1)(A)",
        "extension_citation": "O.C.G.A. 50-18-71(b)(1)(A) (a timetable only)",
        "roll_forward": False,
        "notes": (
            "Within 3 business days: produce, or describe the records and a timetable for production (no fixed extension).\n"
            "Day 0: the first day is not counted and the last is (O.C.G.A. 1-3-1(d)(3)).\n"
            "Holidays (audited): the public and legal holidays the Governor proclaims (O.C.G.A. 1-4-1) close state offices: not business days.\n"
            "⚠ No administrative appeal recorded; the remedy is a civil action (not verified)."
        ),
    },  # fmt: skip
    "OH-PRA": {
        "code": "OH-PRA",
        "name": "Ohio Public Records Act",
        "citation": "R.C. 149.43",
        "calendar": "OH",
        "response_days": None,
        "response_citation": 'R.C. 149.43(B)(1) ("promptly", "reasonable")',
        "roll_forward": False,
        "notes": (
            'No fixed deadline: "promptly" and within a "reasonable" time (149.43(B)(1)). Track an internal target, marked as such.\n'
            "Remedy: complaint in the Court of Claims (R.C. 2743.75).\n"
            "Holidays (audited): the legal holidays of R.C. 1.14 close state offices: closed; a Saturday holiday is observed the Friday before, a Sunday one the Monday after (R.C. 1.14)."
        ),
    },  # fmt: skip
}


# Exemption citations (issue 14): how agencies cite each statute's exemptions, and what each means in
# plain words. Read by records/review/exemptions.py keyed by statute code; not copied into the Statute
# table, because a pattern is matched by code and a team has no reason to edit one (so no migration, and
# update_statutes is unaffected). A pattern:
#   item      regex for one citation; named groups feed `code`
#   lead      optional regex that must come just before the first item ("Exemptions "); the items after
#             it may form a list ("Exemptions 6 and 7(C)" is two citations)
#   code      the normalised code: "{g}" is group g's value, "{g_p}" is "(value)" or "" when g is absent
#   context   True: counts only on a page that mentions the statute (CONTEXT below), or in a document of
#             a request under it (the `hint` of the detector)
#   kind      "exemption" (a reason to withhold) or "procedural" (an extension, a fee, an appeal right)
#   also      further citations the same words make when a group matched: "7(1)(d)(v)(vi)" cites two
# Group values are cleaned: groups named in `digits` read OCR's l/I/| as 1; `upper`/`lower` fix case.
# Meanings: where we are not sure of one, the detector says "meaning not yet described".
_FOIA_ITEM = r"(?:(?P<n>[1-689])|(?P<n7>7)(?:\s*\(\s*(?P<sub>[A-Fa-f])\s*\)|(?P<subc>[A-Fa-f])(?![\w]))?)"
_IL_SECTION = (
    r"(?P<sec>7)\s*\(\s*(?P<p1>[1lI|])\s*\)\s*\(\s*(?P<p2>[a-z]{1,2})\s*\)"
    r"(?:\s*\(\s*(?P<r1>[ivx]{1,4})\s*\))?(?:\s*\(\s*(?P<r2>[ivx]{1,4})\s*\))?"
)
_IL_PREFIX = r"5\s*[IlT1]LCS\s*140\s*/\s*"
_CA_SUBS = r"(?:\s*\(\s*(?P<s1>[a-z]{1,2}|\d{1,2})\s*\))?(?:\s*\(\s*(?P<s2>\d{1,2}|[A-Z])\s*\))?"
_CA_LEAD = (
    r"(?:Gov(?:ernment|'t|’t|\.)?\s*Code\s*(?:§+|[Ss]ec(?:tions?|s?\.))?|Code\s*§+|§+|"
    r"[Ss]ec(?:tions?|s?\.))\s*"
)

CONTEXT: dict[str, str] = {
    "FOIA": r"U\.?\s?S\.?\s?C|\b552\s*\(|Freedom of Information Act|\bFOIA\b|\(b\)\s*\(\s*[1-9]\s*\)",
    "IL-FOIA": r"[IlT1]LCS|Illinois",
    "CPRA": r"Gov(?:ernment|'t|’t|\.)?\s*Code|CPRA|California|Public Records Act",
    "NY-FOIL": r"Public Officers Law|\bPOL\b|FOIL",
    "TX-PIA": r"Gov(?:ernment|'t|’t|\.)?\s*Code|Texas|Public Information Act",
}

EXEMPTION_PATTERNS: dict[str, dict[str, Any]] = {
    "FOIA": {
        "patterns": [
            {  # (b)(6), (b) (7)(C), 5 U.S.C. § 552(b)(5): the stamp on released pages, counted anywhere
                # except as a cross-reference inside another law ("subsection (b)(1)", "10(b)(1)")
                "item": r"(?<![\w)(/])(?<!subsection )(?<!paragraph )(?<!Subsection )(?<!Paragraph )(?:5\s*U\.?\s*S\.?\s*C\.?\s*(?:§+|[Ss]ec(?:tion|\.)?)?\s*552\s*)?\(\s*b\s*\)\s*\(\s*"
                r"(?:(?P<n>[1-689])|(?P<n7>7))\s*\)(?:\s*\(\s*(?P<sub>[A-Fa-f])\s*\))?(?!\s*\(\s*[\dlI]|\w)",
                "code": "(b)({n}{n7}){sub_p}",
                "context": False,
            },
            {  # b6, b(6), b7c, B7(C): only on a page about the federal FOIA
                "item": r"(?<![\w/.-])[bB]\s?\(?(?:(?P<n>[1-689])|(?P<n7>7)(?:\)?\s*\(\s*(?P<sub>[A-Fa-f])\s*\)"
                r"|(?P<subc>[A-Fa-f])(?!\w))?)\)?(?![\w(])",
                "code": "(b)({n}{n7}){sub_p}{subc_p}",
                "context": True,
            },
            {  # Exemption 6, Exemptions 6 and 7(C), FOIA Exemption (b)(5)
                "lead": r"\b[Ee]xemptions?\s*(?:[Nn]o\.?\s*|[Nn]umbers?\s*)?",
                "item": r"(?:\(\s*b\s*\)\s*)?\(?" + _FOIA_ITEM + r"\)?(?![\w(]|\.\d|\s*\(\s*[\dlI])",
                "code": "(b)({n}{n7}){sub_p}{subc_p}",
                "context": True,
            },
        ],
        "upper": ["sub", "subc"],
        "meanings": {
            "(b)(1)": "Classified national defense or foreign policy information.",
            "(b)(2)": "Internal personnel rules and practices of the agency.",
            "(b)(3)": "Information another federal statute exempts from disclosure.",
            "(b)(4)": "Trade secrets and confidential commercial or financial information.",
            "(b)(5)": "Inter- or intra-agency memos a court would treat as privileged "
            "(deliberative process, attorney-client, attorney work product).",
            "(b)(6)": "Personnel, medical and similar files whose release would be a clearly unwarranted "
            "invasion of personal privacy.",
            "(b)(7)": "Records compiled for law enforcement purposes (one of the harms (A) to (F)).",
            "(b)(7)(A)": "Law enforcement records whose release could interfere with enforcement proceedings.",
            "(b)(7)(B)": "Law enforcement records whose release would deprive a person of a fair trial.",
            "(b)(7)(C)": "Law enforcement records whose release could be an unwarranted invasion of personal privacy.",
            "(b)(7)(D)": "Law enforcement records that could disclose a confidential source.",
            "(b)(7)(E)": "Law enforcement techniques, procedures or guidelines whose release could help "
            "someone evade the law.",
            "(b)(7)(F)": "Law enforcement records whose release could endanger someone's life or physical safety.",
            "(b)(8)": "Reports about the examination or supervision of financial institutions.",
            "(b)(9)": "Geological and geophysical information about wells.",
        },
    },
    "IL-FOIA": {
        "patterns": [
            {  # 5 ILCS 140/7(1)(c), 5 ILCS\n140/7(l)(d)(v)
                "item": _IL_PREFIX + _IL_SECTION + r"(?!\w)",
                "code": "7({p1}){p2_p}{r1_p}",
                "also": [{"when": "r2", "code": "7({p1}){p2_p}{r2_p}"}],  # 7(1)(d)(v)(vi): (d)(v) and (d)(vi)
                "context": False,
            },
            {  # Section 7(1)(c), 7(1)(d)(v), (7)(1)(c) with the statute named elsewhere on the page
                "item": r"(?<![\w/.(])\(?" + _IL_SECTION.replace("(?P<sec>7)", "(?P<sec>7)\\)?") + r"(?!\w)",
                "code": "7({p1}){p2_p}{r1_p}",
                "also": [{"when": "r2", "code": "7({p1}){p2_p}{r2_p}"}],  # 7(1)(d)(v)(vi): (d)(v) and (d)(vi)
                "context": True,
            },
            {  # 5 ILCS 140/3(e) extension, 3(g) unduly burdensome, 9.5(a) review: procedure, not exemptions
                "item": _IL_PREFIX
                + r"(?P<sec>3|9\.5|9|10|11)\s*\(\s*(?P<p1>[a-z])\s*\)(?:\s*\(\s*(?P<r1>[ivx]{1,4})\s*\))?(?!\w)",
                "code": "{sec}{p1_p}{r1_p}",
                "context": False,
                "kind": "procedural",
            },
        ],
        "digits": ["p1"],
        "lower": ["p2", "r1", "r2"],
        "meanings": {
            "7(1)(a)": "Information another federal or State law or rule prohibits disclosing.",
            "7(1)(b)": "Private information (such as Social Security, bank account or driver's licence numbers, "
            "home addresses, personal phone numbers and email addresses).",
            "7(1)(c)": "Personal information whose release would be a clearly unwarranted invasion of personal privacy.",
            "7(1)(d)": "Law enforcement records, where release would cause one of the harms (i) to (vii).",
            "7(1)(d)(i)": "Law enforcement records whose release would interfere with pending or reasonably "
            "contemplated law enforcement proceedings.",
            "7(1)(d)(ii)": "Law enforcement records whose release would interfere with active administrative "
            "enforcement proceedings.",
            "7(1)(d)(iii)": "Law enforcement records whose release would likely deprive a person of a fair trial "
            "or an impartial hearing.",
            "7(1)(d)(iv)": "Law enforcement records that would disclose a confidential source or people who file "
            "complaints.",
            "7(1)(d)(v)": "Law enforcement records that would disclose unique or specialised investigative "
            "techniques, where release would cause demonstrable harm.",
            "7(1)(d)(vi)": "Law enforcement records whose release would endanger the life or physical safety of "
            "officers or anyone else.",
            "7(1)(d)(vii)": "Law enforcement records whose release would obstruct an ongoing criminal investigation.",
            "7(1)(e)": "Records that relate to or affect the security of correctional institutions and "
            "detention facilities.",
            "7(1)(f)": "Preliminary drafts, notes, recommendations and memos in which opinions are expressed or "
            "policies formulated (deliberative records).",
            "7(1)(g)": "Trade secrets and commercial or financial information given in confidence.",
            "7(1)(h)": "Proposals and bids for contracts or grants, until a final selection is made.",
            "7(1)(i)": "Valuable formulae, designs, drawings and research data whose release could produce "
            "private gain or public loss.",
            "7(1)(k)": "Architects' and engineers' plans for buildings, where release would compromise security.",
            "7(1)(m)": "Communications with the public body's attorney or auditor that are privileged, and "
            "material prepared for litigation.",
            "7(1)(n)": "Records of the adjudication of employee grievances or discipline (not the final outcome).",
            "7(1)(o)": "Technical information about computer systems (software, passwords) whose release "
            "would jeopardise their security.",
            "7(1)(p)": "Records about collective bargaining negotiations.",
            "7(1)(r)": "Records about real estate purchase negotiations, until the purchase is final.",
            "7(1)(v)": "Vulnerability assessments, security measures and response plans against attacks on "
            "the community or its systems.",
            "3(e)": "Extension of the time to respond (up to 5 more business days), not an exemption.",
            "3(g)": "Request refused as unduly burdensome, not an exemption.",
            "9.5(a)": "The right to ask the Public Access Counselor to review a denial, not an exemption.",
        },
    },
    "CPRA": {
        "patterns": [
            {  # Gov. Code § 7922.000, section 7923.600 and 7927.705
                "lead": _CA_LEAD,
                "item": r"(?<![\d-])(?P<sec>7922\.000|792[3-9]\.\d{3}|7930\.\d{3})(?!\d)" + _CA_SUBS,
                "code": "{sec}{s1_p}{s2_p}",
                "context": True,
            },
            {  # the pre-2023 numbering: Government Code section 6254(f), 6255
                "lead": _CA_LEAD,
                "item": r"(?<![\d-])(?P<sec>6254(?:\.\d{1,2})?|6255|6276\.\d{2})(?![\d-])" + _CA_SUBS,
                "code": "{sec}{s1_p}{s2_p}",
                "context": True,
            },
            {  # time limits and procedure, either numbering
                "lead": _CA_LEAD,
                "item": r"(?<![\d-])(?P<sec>6253(?:\.\d{1,2})?|7920\.\d{3}|7921\.\d{3}|7922\.(?!000)\d{3})(?![\d-])"
                + _CA_SUBS,
                "code": "{sec}{s1_p}{s2_p}",
                "context": True,
                "kind": "procedural",
            },
        ],
        "meanings": {
            "7922.000": "Catch-all: the public interest in withholding clearly outweighs the public interest "
            "in disclosure (a balancing test; formerly 6255).",
            "6255": "Catch-all: the public interest in withholding clearly outweighs the public interest in "
            "disclosure (a balancing test; now 7922.000).",
            "7923.600": "Law enforcement investigation records and files (formerly 6254(f)).",
            "6254(f)": "Law enforcement investigation records and files (now 7923.600 ff.).",
            "7927.200": "Records about pending litigation to which the public agency is a party (formerly 6254(b)).",
            "6254(b)": "Records about pending litigation to which the public agency is a party (now 7927.200).",
            "7927.500": "Preliminary drafts, notes and internal memos not kept in the ordinary course of "
            "business (formerly 6254(a)).",
            "6254(a)": "Preliminary drafts, notes and internal memos not kept in the ordinary course of "
            "business (now 7927.500).",
            "7927.700": "Personnel, medical and similar files whose release would be an unwarranted invasion "
            "of personal privacy (formerly 6254(c)).",
            "6254(c)": "Personnel, medical and similar files whose release would be an unwarranted invasion "
            "of personal privacy (now 7927.700).",
            "7927.705": "Records another law exempts or prohibits disclosing, including privileges in the "
            "Evidence Code (formerly 6254(k)).",
            "6254(k)": "Records another law exempts or prohibits disclosing, including privileges in the "
            "Evidence Code (now 7927.705).",
            "6253(c)": "Extension of the time to respond (up to 14 more days in unusual circumstances), "
            "not an exemption (now 7922.535).",
            "7922.535": "The time to respond, and its extension in unusual circumstances; not an exemption.",
        },
    },
    "NY-FOIL": {
        "patterns": [
            {  # Public Officers Law § 87(2)(b)
                "lead": r"(?:Public\s+Officers\s+Law|POL)\s*(?:§+|[Ss]ec(?:tion|\.))?\s*",
                "item": r"(?P<sec>87)\s*\(\s*(?P<p1>2)\s*\)\s*\(\s*(?P<p2>[a-q])\s*\)(?!\w)",
                "code": "87(2){p2_p}",
                "context": False,
            },
        ],
        "lower": ["p2"],
        "meanings": {
            "87(2)(b)": "Records whose release would be an unwarranted invasion of personal privacy.",
            "87(2)(e)": "Records compiled for law enforcement purposes, where release would cause a listed harm.",
            "87(2)(g)": "Inter- or intra-agency materials other than facts, instructions and final policy.",
        },
    },
    "TX-PIA": {
        "patterns": [
            {  # Gov't Code § 552.101, section 552.108
                "lead": _CA_LEAD,
                "item": r"(?<![\d-])(?P<sec>552\.1\d\d)(?![\d-])" + _CA_SUBS,
                "code": "{sec}{s1_p}{s2_p}",
                "context": True,
            },
        ],
        "meanings": {
            "552.101": "Information made confidential by law (a statute, a court decision, or privacy).",
            "552.108": "Law enforcement records whose release would interfere with crime detection, "
            "investigation or prosecution.",
        },
    },
}
