"""Mail in and out: a team's mailbox settings, SMTP sending, IMAP fetching, matching to requests, triage.

secrets.py     passwords encrypted at rest (MAIL_SECRET_KEY)
addresses.py   each request's reply address (plus-addressing, HMAC token)
connect.py     IMAP/SMTP connections and "test connection", failures in words
parse.py       a raw message (.eml or Outlook .msg) read into what filing needs, in the sandbox
matching.py    which request a message belongs to, or why it goes to triage
filing.py      a message becomes a communication with its raw .eml and attachments as documents
fetch.py       the fetch loop: idempotent by UIDVALIDITY+UID, one fetch per mailbox at a time
send.py        a letter out by SMTP, logged as an outgoing communication
hooks.py       what runs after an incoming message is filed (the letter reader plugs in there)
tasks.py       thin Celery tasks (queue "mail")
"""
