"""The letter reader: the events an agency's letter or message implies, each with the sentence it rests
on, and what could not be read. Pure functions over text (no database): see reader.read_letter."""

from .reader import ProposedEvent, Reading, read_letter
from .text import letter_pages

__all__ = ["ProposedEvent", "Reading", "letter_pages", "read_letter"]
