"""The request list costs the same number of queries at 10 requests and at 10,000."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from records.demo import seed_bulk_requests

from . import factories


def render_queries(client, query=""):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("request_list") + query)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("query", ["", "?open=true&ordering=-sent&q=ALPR&page=3"])
def test_request_list_query_count_is_bounded(login, editor, team, django_assert_num_queries, query):
    factories.make_agency()
    factories.statute("CPRA")
    seed_bulk_requests(team, 10)
    client = login(editor)
    small, _ = render_queries(client, query)
    seed_bulk_requests(team, 10_000, seed=8)
    with django_assert_num_queries(small):
        response = client.get(reverse("request_list") + query)
    assert (
        response.context["page"].paginator.count > 10 if query else response.context["page"].paginator.count == 10_010
    )
    assert len(response.context["page"]) == 50
