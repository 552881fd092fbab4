"""A living demo: a desk asking ICE and California police and sheriff's departments
what license-plate-reader (ALPR) data they share, under which contracts, and with whom."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from . import timeline_writes
from .campaigns.demo import seed_demo_campaign
from .models import Agency, Membership, RecordsRequest, Statute, Tag, Team, TrackingNumber

DEMO_PASSWORD = "demo-password-change-me"

AGENCIES = [
    # name, abbreviation, level, state, email, portal
    (
        "U.S. Immigration and Customs Enforcement",
        "ICE",
        "federal",
        "",
        "ice-foia@ice.dhs.gov",
        "https://www.ice.gov/foia",
    ),
    ("Los Angeles Police Department", "LAPD", "city", "CA", "", "https://recordsrequest.lacity.org/"),
    ("Los Angeles County Sheriff's Department", "LASD", "county", "CA", "", "https://lasd.govqa.us/"),
    ("San Diego Police Department", "SDPD", "city", "CA", "", "https://sandiego.nextrequest.com/"),
    ("San Francisco Police Department", "SFPD", "city", "CA", "sfpd.records@sfgov.org", ""),
    ("Oakland Police Department", "OPD", "city", "CA", "", "https://oaklandca.nextrequest.com/"),
    ("Sacramento County Sheriff's Office", "SCSO", "county", "CA", "", ""),
    ("Fresno Police Department", "FPD", "city", "CA", "", ""),
    ("San Jose Police Department", "SJPD", "city", "CA", "", "https://sanjoseca.nextrequest.com/"),
    ("Orange County Sheriff's Department", "OCSD", "county", "CA", "", ""),
    ("Riverside County Sheriff's Department", "RSO", "county", "CA", "", ""),
    ("Alameda County Sheriff's Office", "ACSO", "county", "CA", "", ""),
    ("Long Beach Police Department", "LBPD", "city", "CA", "", ""),
]

TOPICS = [
    (
        "ALPR data-sharing agreements",
        "All agreements, MOUs and contracts under which the department shares automated license plate reader (ALPR) data with any other agency, including federal agencies.",
    ),
    (
        "ALPR vendor contracts (Flock, Vigilant/Motorola)",
        "All contracts, purchase orders, invoices and renewals with Flock Safety, Vigilant Solutions or Motorola Solutions for ALPR cameras or data access.",
    ),
    (
        "ALPR sharing with out-of-state agencies (SB 34)",
        "Lists of the agencies with which ALPR data is shared, and all records of sharing with agencies outside California, for compliance with Civil Code 1798.90.55(b).",
    ),
    (
        "ALPR audit logs: queries by outside agencies",
        "Audit logs of searches of the department's ALPR database by users from other agencies, January 2024 to date.",
    ),
    ("ALPR usage and privacy policy", "The department's ALPR usage and privacy policy and any revisions since 2016."),
]

ICE_TOPICS = [
    (
        "ICE access to commercial ALPR databases",
        "Contracts, task orders and statements of work giving ICE access to commercial license plate reader databases, and records of queries run against California-sourced data.",
    ),
    (
        "ICE ALPR queries via local police accounts",
        "Records of ICE personnel using accounts of state or local law enforcement agencies to query ALPR data, 2019 to date.",
    ),
]

# (events as (day offset from sent, kind, outcome)) — a varied set of histories.
HISTORIES = [
    [],
    [(0, "filed", "")],
    [(0, "filed", ""), (3, "acknowledged", "")],
    [(0, "filed", ""), (2, "acknowledged", ""), (9, "extension", "")],
    [(0, "filed", ""), (4, "acknowledged", ""), (8, "clarification_asked", "")],
    [(0, "filed", ""), (4, "acknowledged", ""), (8, "clarification_asked", ""), (12, "clarification_given", "")],
    [(0, "filed", ""), (5, "acknowledged", ""), (10, "fee_estimate", "")],
    [(0, "filed", ""), (6, "acknowledged", ""), (20, "interim_release", "")],
    [(0, "filed", ""), (9, "final_response", "granted")],
    [(0, "filed", ""), (3, "acknowledged", ""), (24, "final_response", "partly_granted")],
    [(0, "filed", ""), (10, "final_response", "denied")],
    [(0, "filed", ""), (10, "final_response", "no_records")],
    [(0, "filed", ""), (12, "final_response", "denied"), (30, "appeal_filed", "")],
    [
        (0, "filed", ""),
        (12, "final_response", "denied"),
        (30, "appeal_filed", ""),
        (55, "appeal_decided", "partly_granted"),
    ],
    [(0, "filed", ""), (15, "withdrawn", "")],
]


def seed_demo(today: dt.date | None = None, *, seed: int = 1505) -> Team:
    """Create (or refresh) the demo team; safe to run twice."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    with transaction.atomic():
        foia = Statute.objects.get(code="FOIA")
        cpra = Statute.objects.get(code="CPRA")
        team, _ = Team.objects.get_or_create(slug="demo-desk", defaults={"name": "Demo Records Desk"})
        users = {}
        for username, role in (
            ("demo", Membership.ADMIN),
            ("reporter", Membership.EDITOR),
            ("reader", Membership.VIEWER),
        ):
            user, created = get_user_model().objects.get_or_create(username=username)
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            Membership.objects.update_or_create(user=user, team=team, defaults={"role": role})
            users[username] = user
        agencies = []
        for name, abbr, level, state, email, portal in AGENCIES:
            agency, _ = Agency.objects.update_or_create(
                name=name,
                defaults={"abbreviation": abbr, "level": level, "state": state, "email": email,
                          "portal_url": portal, "default_statute": foia if level == "federal" else cpra},
            )  # fmt: skip
            agencies.append(agency)
        if team.requests.exists():
            seed_demo_campaign(team, users["demo"], agencies, today, rng)
            return team
        plans = [(agencies[0], t) for t in ICE_TOPICS] * 3
        for agency in agencies[1:]:
            plans += [(agency, rng.choice(TOPICS)), (agency, rng.choice(TOPICS))]
        for number, (agency, (topic, body)) in enumerate(plans[:30], start=1):
            history = HISTORIES[number % len(HISTORIES)]
            sent = today - dt.timedelta(days=rng.randint(5, 120))
            if history and history[-1][0] + 2 > (today - sent).days:
                sent = today - dt.timedelta(days=history[-1][0] + rng.randint(2, 20))
            statute = agency.default_statute
            prefix = "2026-ICFO-" if agency.level == "federal" else "R"
            r = timeline_writes.save_request(
                RecordsRequest(
                    team=team, title=f"{agency.abbreviation}: {topic}", agency=agency, statute=statute,
                    body=f"Under the {statute.name}, I request: {body}", reference=f"ALPR-{number:03d}",
                    sent_date=sent if history else None, received_date=sent if history else None,
                    assignee=rng.choice([users["demo"], users["reporter"], None]),
                    project="Who sees California's plate reads",
                    expedited_requested=agency.level == "federal" and number % 2 == 0,
                ),
                user=users["demo"],
                tags=["ALPR", rng.choice(["contracts", "federal sharing", "audit logs"])],
                tracking_numbers=[(TrackingNumber.INITIAL, f"{prefix}{rng.randint(10000, 99999)}")] if history else [],
            )  # fmt: skip
            if history:
                timeline_writes.log_communication(
                    r, user=users["demo"], direction="out", channel="portal" if agency.portal_url else "email",
                    date=sent, sender="records desk", recipient=agency.email or agency.portal_url or agency.name,
                    subject=f"Public records request: {topic}", body=r.body,
                )  # fmt: skip
            for offset, kind, outcome in history:
                date = sent + dt.timedelta(days=offset)
                event = timeline_writes.log_event(r, user=users["demo"], kind=kind, date=date, outcome=outcome)
                if kind not in ("filed",):
                    timeline_writes.log_communication(
                        r, user=users["demo"], direction="in", channel="email", date=date,
                        sender=agency.email or agency.name, recipient="records desk",
                        subject=f"Re: {topic} — {event.get_kind_display().lower()}",
                        body=f"The {agency.name} writes regarding your request: {event.get_kind_display().lower()}.",
                        event=event,
                    )  # fmt: skip
        seed_demo_campaign(team, users["demo"], agencies, today, rng)
    return team


def seed_bulk_requests(team: Team, count: int, *, seed: int = 7) -> None:
    """Many requests fast (bulk inserts), for list benchmarks and query-count tests."""
    rng = random.Random(seed)
    agencies = list(Agency.objects.all()) or [
        Agency.objects.create(name=f"Bulk agency {i}", level="city", state="CA") for i in range(20)
    ]
    statutes = list(Statute.objects.all())
    users = list(get_user_model().objects.filter(memberships__team=team)) + [None]
    tags = [Tag.objects.get_or_create(team=team, name=name)[0] for name in ("ALPR", "contracts", "audit logs", "bulk")]
    statuses = [s for s, _ in RecordsRequest._meta.get_field("status").choices]
    start = dt.date(2024, 1, 1)
    batch = []
    for i in range(count):
        sent = start + dt.timedelta(days=rng.randint(0, 900))
        batch.append(
            RecordsRequest(
                team=team,
                title=f"Bulk request {i}: ALPR records",
                agency=rng.choice(agencies),
                statute=rng.choice(statutes),
                reference=f"BULK-{i:05d}",
                sent_date=sent,
                received_date=sent,
                assignee=rng.choice(users),
                status=rng.choice(statuses),
                due_date=sent + dt.timedelta(days=rng.randint(5, 40)),
                project=rng.choice(["ALPR", "Jails", ""]),
            )  # fmt: skip
        )
    with transaction.atomic():
        created = RecordsRequest.objects.bulk_create(batch, batch_size=1000)
        if not created or created[0].pk is None:  # backends that return no ids
            created = list(RecordsRequest.objects.filter(team=team, reference__startswith="BULK-"))
        through = RecordsRequest.tags.through
        through.objects.bulk_create(
            [through(recordsrequest_id=r.pk, tag_id=rng.choice(tags).pk) for r in created], batch_size=2000
        )
        TrackingNumber.objects.bulk_create(
            [TrackingNumber(request_id=r.pk, number=f"T-{r.pk}", agency_id=r.agency_id) for r in created],
            batch_size=2000,
        )
