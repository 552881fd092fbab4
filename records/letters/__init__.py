"""Letters to agencies: templates per statute and kind, placeholders, text and PDF rendering.

`render_letter` and `generate_letter` are the API other modules (campaigns' bulk letters) call.
"""

from .placeholders import PLACEHOLDERS, LetterError, template_errors
from .render import KINDS, Rendered, find_template, generate_letter, render_letter, render_template

__all__ = [
    "KINDS", "PLACEHOLDERS", "LetterError", "Rendered", "find_template", "generate_letter", "render_letter",
    "render_template", "template_errors",
]  # fmt: skip
