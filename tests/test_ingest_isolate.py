"""The child process that parses a file: out of memory, out of time, or crashed, it takes
only itself down and the caller gets a plain reason."""

import os
import signal
import time
from pathlib import Path

import pytest

from records.ingest.errors import IngestError
from records.ingest.isolate import run_isolated


def count_to(n):
    yield from range(n)


def allocate_forever():
    hoard = []
    while True:
        hoard.append(bytearray(50 * 1024 * 1024))
        yield len(hoard)


def hang():
    yield "started"
    time.sleep(60)
    yield "never"


def crash():
    yield "started"
    os.kill(os.getpid(), signal.SIGSEGV)


def refuse():
    raise IngestError("A plain reason.")
    yield


def blow_up():
    raise KeyError("/Root")
    yield


def run(produce, **limits):
    options = {"memory_mb": 256, "total_seconds": 10, "idle_seconds": 10, **limits}
    return list(run_isolated(produce, **options))


def test_items_come_back_in_order():
    assert run(lambda: count_to(1000)) == list(range(1000))


def test_memory_limit_stops_the_child_not_us():
    with pytest.raises(IngestError, match="more than 256 MB of memory"):
        run(allocate_forever)


def test_a_silent_child_is_killed_by_the_watchdog():
    started = time.monotonic()
    with pytest.raises(IngestError, match="more than 1 seconds on one page"):
        run(hang, idle_seconds=1)
    assert time.monotonic() - started < 5


def test_a_whole_document_time_limit():
    with pytest.raises(IngestError, match="longer than 1 seconds"):
        run(hang, total_seconds=1, idle_seconds=30)


def test_a_crash_is_reported_not_inherited():
    with pytest.raises(IngestError, match="crashed on this file \\(signal SIGSEGV\\), possibly"):
        run(crash)


def test_reasons_cross_the_process_boundary():
    with pytest.raises(IngestError, match="^A plain reason.$"):
        run(refuse)
    with pytest.raises(IngestError, match="could not be read \\(KeyError"):
        run(blow_up)


def _children() -> set[str]:
    """This process's children (the suite may run others: the mail tests' servers)."""
    return {pid for task in Path("/proc/self/task").iterdir() for pid in (task / "children").read_text().split()}


def test_stopping_early_kills_the_child():
    before = _children()
    items = run_isolated(hang, memory_mb=256, total_seconds=30, idle_seconds=30)
    assert next(items) == "started"
    parser = _children() - before
    assert parser
    items.close()  # the caller gives up (its claim was lost): the child must not linger
    assert not _children() & parser  # killed and reaped: not even a zombie
