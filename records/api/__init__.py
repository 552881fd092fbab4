"""The REST API (/api/): requests, events, communications, documents, agencies, statutes, search.

Scoped exactly as the pages are: every queryset starts from `visible_to(user)`, so a stranger's id
is a 404; writes need an editor's role in the object's team, else 403. Validation reuses the
pages' forms, so a rule holds the same way on both. Schema at /api/schema/, docs at /api/docs/.
"""
