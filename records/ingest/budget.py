"""How many bytes and files one upload may expand to, across all its nested archives.

A ZIP's directory can promise little and its members still add up: many small
members of zeros, or ZIPs inside ZIPs, each harmless alone. So the budget
belongs to the upload (the outermost archive), every descendant draws on it,
and it counts the bytes actually inflated, never the sizes a directory declares.
"""

from dataclasses import dataclass

from records.models import Document

from .errors import IngestError
from .limits import Limits

MB = 1024 * 1024


class OverBudget(IngestError):
    """Unpacking went past a limit; the message is finished by the caller (files kept so far)."""


@dataclass
class ExpansionBudget:
    max_bytes: int
    max_members: int
    max_ratio: int
    used_bytes: int = 0
    used_members: int = 0

    @classmethod
    def for_archive(cls, archive: Document, limits: Limits) -> "ExpansionBudget":
        """The budget left for unpacking this archive, after what its upload's other archives took."""
        used_bytes, used_members = unpacked_elsewhere(archive)
        return cls(
            max_bytes=limits.zip_max_total_mb * MB,
            max_members=limits.zip_max_members,
            max_ratio=limits.zip_max_ratio,
            used_bytes=used_bytes,
            used_members=used_members,
        )

    def take_member(self) -> None:
        self.used_members += 1
        if self.used_members > self.max_members:
            raise OverBudget(
                f"This ZIP holds more than {self.max_members:,} files in total across its nested archives, "
                "the limit for one upload, so unpacking stopped"
            )

    def take_bytes(self, count: int) -> None:
        self.used_bytes += count
        if self.used_bytes > self.max_bytes:
            raise OverBudget(
                f"This ZIP expands to more than {self.max_bytes / MB:,.0f} MB in total across its nested "
                "archives, the limit for one upload (it may be a 'zip bomb'), so unpacking stopped"
            )

    def metered(self, member, name: str, compressed_size: int) -> "MeteredMember":
        return MeteredMember(member, self, name, compressed_size)


class MeteredMember:
    """A ZIP member read through the budget: it stops the read at the byte that goes over."""

    def __init__(self, member, budget: ExpansionBudget, name: str, compressed_size: int):
        self._member = member
        self._budget = budget
        self._name = name
        self._most = budget.max_ratio * max(compressed_size, 1)
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._member.read(size)
        self.read_bytes += len(chunk)
        self._budget.take_bytes(len(chunk))
        if self.read_bytes > self._most:
            raise OverBudget(
                f"{self._name} in this ZIP is compressed more than {self._budget.max_ratio} to 1, as "
                "'zip bombs' are, so unpacking stopped"
            )
        return chunk


def unpacked_elsewhere(archive: Document) -> tuple[int, int]:
    """Bytes and files already unpacked from archive's upload, not counting archive's own members.

    Its own members are counted again as they are read (reading an archive a
    second time, after a worker died, finds them stored already).
    """
    root_id, parent_id = archive.pk, archive.archive_id
    while parent_id is not None:
        root_id, parent_id = (
            parent_id,
            Document.objects.filter(pk=parent_id).values_list("archive_id", flat=True).first(),
        )
    used_bytes = used_members = 0
    level = [root_id]
    while level:  # one query per level of nesting, and limits.max_nesting bounds the levels
        rows = Document.objects.filter(archive_id__in=level).values_list("pk", "archive_id", "size")
        level = []
        for pk, parent, size in rows:
            level.append(pk)
            if parent != archive.pk:
                used_bytes += size
                used_members += 1
    return used_bytes, used_members
