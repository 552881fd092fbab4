"""Database triggers that queue requests and communications for the letters' index.

Every insert, change of the searchable text (or of a letter's request) and delete adds a
SearchOutbox row in the writer's own transaction, on SQLite and PostgreSQL, whatever wrote it:
no code path (bulk_create, update(), the admin, a raw statement) can leave the engine behind.
The row names the request it belongs to (a letter moved to another request queues both), so a
search waits only for its own scope's rows (letters.waiting).
On SQLite a migration that rebuilds one of these tables drops its triggers: repair() puts
them back after every `migrate` (migrations_hook.py), as it does for the FTS triggers.
"""

from records.models import SearchOutbox

# table: (outbox target, columns whose change re-indexes the row)
WATCHED = {
    "records_recordsrequest": (SearchOutbox.REQUEST_TEXT, ("title", "body")),
    "records_communication": (SearchOutbox.LETTER, ("subject", "body", "request_id")),
}
REQUEST_OF = {"records_recordsrequest": "id", "records_communication": "request_id"}  # the row's request
# Before it (migration 0039) the outbox had no request_id column: the triggers named no request.
REQUEST_COLUMN_MIGRATION = ("records", "0041_searchoutbox_request_id")
OUTBOX = "records_searchoutbox"
FUNCTION = "records_queue_letter"


def _names(table: str) -> list[str]:
    return [f"{table}_engine_{action}" for action in ("insert", "update", "delete")]


def install(cursor, vendor: str, *, request_column: bool = True) -> None:
    """Create the triggers where missing (idempotent). `request_column` False: the triggers of
    migration 0039, for an outbox without the column yet."""
    if vendor == "sqlite":
        statements = _sqlite(request_column)
    elif vendor == "postgresql":
        statements = _postgresql(request_column)
    else:
        statements = []
    for statement in statements:
        cursor.execute(statement)


def uninstall(cursor, vendor: str) -> None:
    for table in WATCHED:
        for name in _names(table):
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if vendor == "postgresql" else ""))
    if vendor == "postgresql":
        cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


def repair(cursor, vendor: str, *, request_column: bool = True) -> bool:
    """Put back any trigger a migration dropped; whether one was missing."""
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    elif vendor == "postgresql":
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    else:
        return False
    present = {name for (name,) in cursor.fetchall()}
    missing = any(name not in present for table in WATCHED for name in _names(table))
    if missing:
        install(cursor, vendor, request_column=request_column)
    return missing


def _sqlite(request_column: bool) -> list[str]:
    statements = []
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    for table, (target, columns) in WATCHED.items():
        insert, update, delete = _names(table)
        changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in columns)
        request = REQUEST_OF[table]

        def queue(row: str, target=target, request=request) -> str:
            if not request_column:
                return f"INSERT INTO {OUTBOX} (target, target_id, queued_at) VALUES ('{target}', {row}.id, {now});"
            return (
                f"INSERT INTO {OUTBOX} (target, target_id, request_id, queued_at) "
                f"VALUES ('{target}', {row}.id, {row}.{request}, {now});"
            )

        moved = ""
        if request_column and request != "id":  # the request it left waits for the change too
            moved = (
                f"INSERT INTO {OUTBOX} (target, target_id, request_id, queued_at) "
                f"SELECT '{target}', new.id, old.{request}, {now} WHERE old.{request} IS NOT new.{request};"
            )
        statements += [
            f"CREATE TRIGGER IF NOT EXISTS {insert} AFTER INSERT ON {table} BEGIN {queue('new')} END",
            f"CREATE TRIGGER IF NOT EXISTS {update} AFTER UPDATE OF {', '.join(columns)} ON {table} "
            f"WHEN {changed} BEGIN {queue('new')} {moved} END",
            f"CREATE TRIGGER IF NOT EXISTS {delete} AFTER DELETE ON {table} BEGIN {queue('old')} END",
        ]
    return statements


def _postgresql(request_column: bool) -> list[str]:
    if request_column:
        # TG_ARGV: the outbox target, and the column naming the row's request ('id' or 'request_id').
        body = f"""
        DECLARE
            old_request bigint;
            new_request bigint;
        BEGIN
            -- Each branch is planned only when it runs (and per table): OLD.request_id is never
            -- read from a request.
            IF TG_OP <> 'INSERT' THEN
                IF TG_ARGV[1] = 'id' THEN old_request := OLD.id; ELSE old_request := OLD.request_id; END IF;
            END IF;
            IF TG_OP <> 'DELETE' THEN
                IF TG_ARGV[1] = 'id' THEN new_request := NEW.id; ELSE new_request := NEW.request_id; END IF;
            END IF;
            IF TG_OP = 'DELETE' THEN
                INSERT INTO {OUTBOX} (target, target_id, request_id, queued_at) VALUES (TG_ARGV[0], OLD.id, old_request, now());
            ELSE
                INSERT INTO {OUTBOX} (target, target_id, request_id, queued_at) VALUES (TG_ARGV[0], NEW.id, new_request, now());
                IF TG_OP = 'UPDATE' AND old_request IS DISTINCT FROM new_request THEN
                    INSERT INTO {OUTBOX} (target, target_id, request_id, queued_at) VALUES (TG_ARGV[0], NEW.id, old_request, now());
                END IF;
            END IF;
            RETURN NULL;
        END
        """
    else:
        body = f"""
        BEGIN
            IF TG_OP = 'DELETE' THEN
                INSERT INTO {OUTBOX} (target, target_id, queued_at) VALUES (TG_ARGV[0], OLD.id, now());
            ELSE
                INSERT INTO {OUTBOX} (target, target_id, queued_at) VALUES (TG_ARGV[0], NEW.id, now());
            END IF;
            RETURN NULL;
        END
        """
    statements = [f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$"]
    for table, (target, columns) in WATCHED.items():
        insert, update, delete = _names(table)
        changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in columns)
        arguments = f"'{target}', '{REQUEST_OF[table]}'" if request_column else f"'{target}'"
        run = f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}({arguments})"
        statements += [
            f"CREATE OR REPLACE TRIGGER {insert} AFTER INSERT ON {table} {run}",
            f"CREATE OR REPLACE TRIGGER {update} AFTER UPDATE OF {', '.join(columns)} ON {table} "
            f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {FUNCTION}({arguments})",
            f"CREATE OR REPLACE TRIGGER {delete} AFTER DELETE ON {table} {run}",
        ]
    return statements
