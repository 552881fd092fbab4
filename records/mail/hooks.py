"""What happens after an incoming message is filed on a request (fetched, uploaded or moved from triage)."""

from records.proposals import propose_after_logging


def after_incoming_filed(communication) -> None:
    """Called once per incoming communication made from an email, after it is saved.

    The letter reader proposes the events the message implies (nothing reaches the timeline
    without a click); a message moved to another request takes its undecided proposals along.
    """
    propose_after_logging(communication)
