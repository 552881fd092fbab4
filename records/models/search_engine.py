from django.conf import settings
from django.db import models, transaction


class SearchOutbox(models.Model):
    """Work for the ranking engine (records/search/outbox.py): a document's pages to re-index,
    or a request's or team's pages to drop. A plain id, not a foreign key: the row outlives what
    it names, so a deleted document's pages still leave the engine. Rows are written in the
    transaction that changes the pages and removed only after the engine committed them, so a
    killed worker loses nothing."""

    DOCUMENT, REQUEST, TEAM = "document", "request", "team"
    # The letters' index (records/search/letters.py); database triggers queue these.
    REQUEST_TEXT, LETTER = "req_text", "letter"
    TARGETS = [
        (DOCUMENT, "Document (re-index its pages)"),
        (REQUEST, "Request (drop its pages)"),
        (TEAM, "Team (drop its pages)"),
        (REQUEST_TEXT, "Request (re-index its title and text)"),
        (LETTER, "Communication (re-index)"),
    ]

    target = models.CharField(max_length=10, choices=TARGETS)
    target_id = models.BigIntegerField()
    # Letters' rows only (written by letter_triggers): the request the row belongs to, a plain id
    # like target_id. A search waits for the worker only when its own scope has rows queued.
    # Null: queued before the column existed, so every scope waits for it.
    request_id = models.BigIntegerField(null=True, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.target} {self.target_id}"

    @classmethod
    def queue(cls, target: str, ids) -> None:
        """Queue work for the engine in the caller's transaction; the drain task goes on commit."""
        ids = [pk for pk in ids if pk is not None]
        if not ids or not settings.SEARCH_ENGINE:
            return
        cls.objects.bulk_create([cls(target=target, target_id=pk) for pk in ids])
        drain_on_commit()


def drain_on_commit() -> None:
    """Send one drain when this transaction commits, however many rows it queues (seed_demo sent
    400 in a few seconds). Django drops a rolled-back savepoint's callbacks, so one already
    registered is one that will run."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(func is _send_drain for _, func, _ in connection.run_on_commit):
        return
    transaction.on_commit(_send_drain)


def _send_drain() -> None:
    from records.tasks import drain_search_outbox_task  # tasks import the models: late, to avoid the cycle

    drain_search_outbox_task.delay()


class NudgesSearchWorker:
    """For requests and communications: the database's triggers queue their rows for the letters'
    index whatever writes them; a save or delete through the model also sends the drain at once
    (otherwise beat's minute does it)."""

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if settings.SEARCH_ENGINE:
            drain_on_commit()

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        if settings.SEARCH_ENGINE:
            drain_on_commit()
        return deleted


class ReindexedWhenMoved:
    """For a model whose pages the engine files under one of its columns (`moved_by`): a save that
    changes that column queues its pages for re-indexing (queue_reindex, records/search/outbox.py)
    in the same transaction. The value read from the database, or last saved, tells a move."""

    moved_by: str

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._moved_by_read = instance.__dict__.get(cls.moved_by)  # absent when deferred
        return instance

    def save(self, *args, **kwargs):
        read = getattr(self, "_moved_by_read", None)
        if read is None or read == getattr(self, self.moved_by):
            super().save(*args, **kwargs)
        else:
            with transaction.atomic():
                super().save(*args, **kwargs)
                self.queue_reindex()
        self._moved_by_read = getattr(self, self.moved_by)

    def queue_reindex(self) -> None:
        raise NotImplementedError
