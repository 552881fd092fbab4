"""Campaigns: one request text to many agencies (issue 11).

placeholders — the request text's {{ placeholders }} (the letters' names), checked and filled per agency
statutes     — which law each agency's request goes under
matching     — agency names (pasted or uploaded) matched to the directory
plan         — the preview (a stored draft) and its confirmation, which creates the requests
board        — one row per agency, the matrix, the CSV export
bulk         — bulk actions on board rows (mark sent, follow-ups, appeals)
stats        — agency performance from the team's own requests
directory    — near-duplicate agencies and merging two agencies
"""
