"""Track what was seeded into each Statute row (`seeded_values`), so `manage.py update_statutes` can tell a
team's own edits from shipped data; and bring untouched rows up to the holiday-calendar audit (statute data
version 2), from a FROZEN copy of the corrections: a migration must not import live code.

A row that still holds exactly what 0002 seeded gets the corrections and records them as seeded. A row an
admin has edited keeps its values, and records 0002's values as seeded: `update_statutes` then shows it as
edited locally and leaves it alone unless forced.
"""

import importlib

from django.db import migrations, models

# Version 2 of records/statute_data.py, as the changes from 0002's seed (issue 10, holiday-calendar audit).
FROZEN_CORRECTIONS = {
    "NY-FOIL": {
        "notes": "Within 5 business days: grant, deny or acknowledge. After an acknowledgment: grant within 20 business days of it, or give a reasonable date certain (89(3)(a)); not computed here.\nAppeal: 30 days; decision within 10 business days (89(4)(a), ◐).\nHolidays (audited): the public holidays of Gen. Constr. Law 24, incl. Lincoln's Birthday (Feb 12), Columbus Day and each general election day, close state offices: not business days. Only a Sunday holiday moves (to Monday): a Saturday holiday's Friday is a business day.\nGen. Constr. Law 25-a rolls a deadline that falls on a weekend or public holiday to the next business day.",
    },
    "TX-PIA": {
        "notes": 'Produce "promptly" (552.221): no fixed period for production.\nTo withhold, the body must ask the Attorney General for a ruling by the 10th business day (552.301) and brief by the 15th (◐).\nNo administrative appeal; the Attorney General rules in 45 (+10) business days (◐).\nMail with no provable receipt date is deemed received on the 3rd business day after the postmark (552.301(a-1)).\nHolidays (audited): a business day is not a weekend, a national holiday (662.003(a)) or a state holiday (662.003(b): incl. the day after Thanksgiving, Dec 24, Dec 26, Texas Independence Day, San Jacinto Day, LBJ Day) (552.0031): those are closed.\nOptional holidays (662.003(c): Cesar Chavez Day, Good Friday, Rosh Hashanah, Yom Kippur) and a weekend holiday\'s Friday or Monday count only where the body observes them: both dates shown. Rosh Hashanah and Yom Kippur are not on the calendar: add them as closure days for a body that observes them.',
    },
    "IL-FOIA": {
        "roll_forward": True,
        "notes": "Silence past the deadline is a denial (3(d)). Request for review to the Public Access Counselor within 60 days (9.5(a)).\nHolidays (audited): the legal holidays of 5 ILCS 490, incl. Lincoln's Birthday (Feb 12) and general election day in even years, close state offices: not business days. Casimir Pulaski Day (a legal holiday; state offices open) and the day after Thanksgiving (state offices close; not in 5 ILCS 490) are disputed (not verified for every body): both dates shown.\nRoll-forward: a period whose last day is a Saturday, Sunday or holiday runs to the next day (5 ILCS 70/1.11).",
    },
    "FL-PRA": {
        "notes": "No fixed deadline: a \"reasonable\" time (119.07(1)(c)). Track an internal target, marked as such.\nNo administrative appeal; 5 business days' written notice before suing to recover fees (119.12, ◐).\nHolidays (audited): state offices close on the paid holidays of Fla. Stat. 110.117 (incl. the Friday after Thanksgiving): closed. The other legal holidays of 683.01 (Lincoln's Birthday, Susan B. Anthony Day, Good Friday, Pascua Florida Day, Confederate Memorial Day, Flag Day, Columbus Day, general election day) leave offices open: both dates shown for an internal target.",
    },
    "WA-PRA": {
        "notes": "Within 5 business days: provide, acknowledge with a reasonable estimate of time, or deny. The estimate is the agency's own: no fixed extension.\nInternal review is deemed complete after 2 business days (WAC 44-14-08001, ◐).\nHolidays (audited): the legal holidays of RCW 1.16.050 close state offices: not business days. The day after Thanksgiving is Native American Heritage Day, a legal holiday (RCW 1.16.050(1)): closed.",
    },
    "PA-RTKL": {
        "roll_forward": True,
        "notes": "No response within 5 business days is a deemed denial (67.901).\nExtension: up to 30 calendar days after the 5th business day, with notice (67.902).\nAppeal to the Office of Open Records within 15 business days (67.1101, ◐).\nRoll-forward: a period's last day on a weekend or legal holiday is omitted, so it runs to the next day (1 Pa.C.S. 1908).\nHolidays (audited): the legal holidays of 44 P.S. 11 that close Commonwealth offices are not business days. Flag Day (June 14) is a legal holiday but offices stay open; the day after Thanksgiving and Juneteenth close offices but are not verified as legal holidays: both dates shown.",
    },
    "MA-PRL": {
        "notes": "Extension by petition to the Supervisor of Records: 20 business days for an agency, 30 for a municipality (950 CMR 32.06); set extension_days to 30 for a municipality.\nAppeal to the Supervisor of Records within 90 calendar days of the response, or of the request where none came (950 CMR 32.08(1), ◐ citation).\nHolidays (audited): the legal holidays of G.L. c. 4 §7 cl. 18, incl. Patriots' Day (third Monday of April), close state offices: not business days. Evacuation Day (Mar 17) and Bunker Hill Day (Jun 17) close offices in Suffolk County only: both dates shown (add them as closure days for a Suffolk County agency).\n⚠ Roll-forward of the 90-day window not verified: G.L. c. 4 §9 moves a last day on a Sunday or legal holiday to the next business day, but says nothing of Saturday: both dates shown.",
    },
    "MI-FOIA": {
        "roll_forward": True,
        "notes": "Email is deemed received 1 business day after it is sent (15.235(1)): enter the deemed receipt date.\nExtension: once, up to 10 business days.\nAppeal decided in 10 business days; 180 days to sue (15.240).\nRoll-forward: a period's last day on a Saturday, Sunday or legal holiday runs to the next day that is none (MCL 8.6).\nHolidays (audited): the legal holidays of MCL 435.101 are not business days. State offices also close on Christmas Eve, New Year's Eve, the day after Thanksgiving and Election Day, which are no legal holidays and may find a local body open: both dates shown.",
    },
    "NJ-OPRA": {
        "notes": "No response within 7 business days is a deemed denial (47:1A-5(i)).\nCommercial requests: 14 business days (P.L. 2024 c.16, ◐); not modelled as an extension.\nChallenge before the Government Records Council or the Superior Court within 45 days of the denial (47:1A-6, ◐ citation).\nHolidays (audited): the legal holidays of N.J.S.A. 36:1-1, incl. Lincoln's Birthday, Good Friday and general election day, close state offices: not business days.\n⚠ Roll-forward of the 45-day window not verified: both dates shown.",
    },
    "GA-ORA": {
        "notes": "Within 3 business days: produce, or describe the records and a timetable for production (no fixed extension).\nDay 0: the first day is not counted and the last is (O.C.G.A. 1-3-1(d)(3)).\nHolidays (audited): the public and legal holidays the Governor proclaims (O.C.G.A. 1-4-1) close state offices: not business days.\n⚠ No administrative appeal recorded; the remedy is a civil action (not verified).",
    },
    "OH-PRA": {
        "notes": 'No fixed deadline: "promptly" and within a "reasonable" time (149.43(B)(1)). Track an internal target, marked as such.\nRemedy: complaint in the Court of Claims (R.C. 2743.75).\nHolidays (audited): the legal holidays of R.C. 1.14 close state offices: closed; a Saturday holiday is observed the Friday before, a Sunday one the Monday after (R.C. 1.14).',
    },
}


def record_seed_and_correct(apps, schema_editor):
    seeded_by_0002 = importlib.import_module("records.migrations.0002_seed_statutes").FROZEN_STATUTES
    Statute = apps.get_model("records", "Statute")
    for row in Statute.objects.filter(code__in=list(seeded_by_0002)):
        seeded = dict(seeded_by_0002[row.code])
        if {name: getattr(row, name) for name in seeded} == seeded:
            corrections = FROZEN_CORRECTIONS.get(row.code, {})
            for name, value in corrections.items():
                setattr(row, name, value)
            seeded.update(corrections)
        row.seeded_values = seeded
        row.save()


class Migration(migrations.Migration):
    dependencies = [("records", "0005_history")]
    operations = [
        migrations.AddField(
            model_name="statute",
            name="seeded_values",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.RunPython(record_seed_and_correct, migrations.RunPython.noop),
    ]
