"""Review: page marks and notes (marks.py), exhibit binders with Bates numbers (binder.py)."""
