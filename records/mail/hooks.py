"""What happens after an incoming message is filed on a request (fetched or uploaded)."""


def after_incoming_filed(communication) -> None:
    """Called once per incoming communication made from an email, after it is saved.

    Deliberately a no-op here: the letter reader (proposed events) is wired in at this one place.
    """
