"""Review and litigation: page marks and notes (marks.py), exhibit binders with Bates numbers (binder.py),
what an agency withheld: exemption citations and bad redactions (exemptions.py, citations.py, withholding.py)."""
