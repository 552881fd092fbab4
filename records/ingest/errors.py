"""Why a document stopped, in words a records clerk can act on."""


class IngestError(Exception):
    """A file we cannot read; `message` is shown to the user as is."""

    state = "failed"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NeedsPassword(IngestError):
    state = "needs_password"


def short(text: object, limit: int = 200) -> str:
    """One line of a library's own message, for the end of a plain sentence."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
