"""The deadline calculator page: the same answers as the command, with the working shown."""

from django.urls import reverse


def test_calculator_shows_the_date_and_working(login, viewer):
    page = login(viewer).get(reverse("calculator") + "?statute=FOIA&received=2026-11-18")
    assert page.status_code == 200
    assert page.context["result"].due.isoformat() == "2026-12-17"
    body = page.content.decode()
    assert "2026-12-17" in body and "Thanksgiving" in body and "552(a)(6)(A)" in body


def test_calculator_extension_and_tolling(login, viewer):
    client = login(viewer)
    extended = client.get(reverse("calculator") + "?statute=FOIA&received=2026-06-08&extended=on").context["result"]
    assert extended.due.isoformat() == "2026-07-22"
    tolled = client.get(reverse("calculator") + "?statute=FOIA&received=2026-06-08&tolled_days=3").context["result"]
    assert tolled.due.isoformat() == "2026-07-13"


def test_calculator_bad_input_is_a_form_error(login, viewer):
    client = login(viewer)
    for query in [
        "?statute=NOPE&received=2026-11-18",
        "?statute=FOIA&received=2026-02-30",
        "?statute=FOIA&received=1066-10-14",
    ]:
        response = client.get(reverse("calculator") + query)
        assert response.status_code == 200 and response.context["form"].errors and response.context["result"] is None


def test_calculator_needs_sign_in(client):
    assert client.get(reverse("calculator")).status_code == 302
