"""Each request's own reply address: the team's address plus `r<id>-<token>` (plus-addressing).

The token is an HMAC of the team and the request under SECRET_KEY, so it cannot be guessed from the
request number, and a token made for one team's request never verifies for another team's.
"""

import re
from email.utils import getaddresses

from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "records.mail.reply-address"
_TAG = re.compile(r"^r(\d{1,18})-([0-9a-f]{16})$")


def reply_token(team_id: int, request_id: int) -> str:
    return salted_hmac(_SALT, f"{team_id}:{request_id}", algorithm="sha256").hexdigest()[:16]


def reply_address(records_request, team_address: str) -> str:
    local, _, domain = team_address.partition("@")
    local = local.split("+", 1)[0]
    token = reply_token(records_request.team_id, records_request.pk)
    return f"{local}+r{records_request.pk}-{token}@{domain}"


def requests_addressed(header_values: list[str], team_id: int, team_address: str) -> set[int]:
    """Ids of this team's requests whose reply address appears in these headers (To, Cc, Delivered-To…),
    the token verified against this team."""
    local, _, domain = team_address.lower().partition("@")
    local = local.split("+", 1)[0]
    found = set()
    for _name, address in getaddresses([value for value in header_values if value]):
        mine, _, their_domain = address.lower().partition("@")
        base, plus, tag = mine.partition("+")
        if not plus or base != local or their_domain != domain:
            continue
        match = _TAG.match(tag)
        if match and constant_time_compare(match.group(2), reply_token(team_id, int(match.group(1)))):
            found.add(int(match.group(1)))
    return found
