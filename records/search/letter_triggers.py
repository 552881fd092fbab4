"""Database triggers that queue requests and communications for the letters' index.

Every insert, change of the searchable text (or of a letter's request) and delete adds a
SearchOutbox row in the writer's own transaction, on SQLite and PostgreSQL, whatever wrote it:
no code path (bulk_create, update(), the admin, a raw statement) can leave the engine behind.
On SQLite a migration that rebuilds one of these tables drops its triggers: repair() puts
them back after every `migrate` (migrations_hook.py), as it does for the FTS triggers.
"""

from records.models import SearchOutbox

# table: (outbox target, columns whose change re-indexes the row)
WATCHED = {
    "records_recordsrequest": (SearchOutbox.REQUEST_TEXT, ("title", "body")),
    "records_communication": (SearchOutbox.LETTER, ("subject", "body", "request_id")),
}
OUTBOX = "records_searchoutbox"
FUNCTION = "records_queue_letter"


def _names(table: str) -> list[str]:
    return [f"{table}_engine_{action}" for action in ("insert", "update", "delete")]


def install(cursor, vendor: str) -> None:
    """Create the triggers where missing (idempotent)."""
    statements = _sqlite() if vendor == "sqlite" else _postgresql() if vendor == "postgresql" else []
    for statement in statements:
        cursor.execute(statement)


def uninstall(cursor, vendor: str) -> None:
    for table in WATCHED:
        for name in _names(table):
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if vendor == "postgresql" else ""))
    if vendor == "postgresql":
        cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


def repair(cursor, vendor: str) -> bool:
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
        install(cursor, vendor)
    return missing


def _sqlite() -> list[str]:
    statements = []
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    for table, (target, columns) in WATCHED.items():
        insert, update, delete = _names(table)
        changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in columns)

        def queue(row: str, target=target) -> str:
            return f"INSERT INTO {OUTBOX} (target, target_id, queued_at) VALUES ('{target}', {row}.id, {now});"

        statements += [
            f"CREATE TRIGGER IF NOT EXISTS {insert} AFTER INSERT ON {table} BEGIN {queue('new')} END",
            f"CREATE TRIGGER IF NOT EXISTS {update} AFTER UPDATE OF {', '.join(columns)} ON {table} "
            f"WHEN {changed} BEGIN {queue('new')} END",
            f"CREATE TRIGGER IF NOT EXISTS {delete} AFTER DELETE ON {table} BEGIN {queue('old')} END",
        ]
    return statements


def _postgresql() -> list[str]:
    statements = [
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                INSERT INTO {OUTBOX} (target, target_id, queued_at) VALUES (TG_ARGV[0], OLD.id, now());
            ELSE
                INSERT INTO {OUTBOX} (target, target_id, queued_at) VALUES (TG_ARGV[0], NEW.id, now());
            END IF;
            RETURN NULL;
        END $$
        """
    ]
    for table, (target, columns) in WATCHED.items():
        insert, update, delete = _names(table)
        changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in columns)
        run = f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}('{target}')"
        statements += [
            f"CREATE OR REPLACE TRIGGER {insert} AFTER INSERT ON {table} {run}",
            f"CREATE OR REPLACE TRIGGER {update} AFTER UPDATE OF {', '.join(columns)} ON {table} "
            f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {FUNCTION}('{target}')",
            f"CREATE OR REPLACE TRIGGER {delete} AFTER DELETE ON {table} {run}",
        ]
    return statements
