"""Run a risky parser in a forked child process with memory and time limits.

A malformed file can make a parser recurse, loop or allocate without end. In a
child with RLIMIT_AS and a watchdog it can only take itself down: the worker
(or the test suite) records a plain reason and goes on with the next file.
Forking is cheap (the parser is already imported), so even one-page files pay
only a few milliseconds; the child parses while the parent writes pages, which
keeps the pipeline as fast as bare pypdf.
"""

import contextlib
import ctypes
import faulthandler
import logging
import os
import resource
import signal
import time
import warnings
from collections.abc import Callable, Iterator
from multiprocessing.connection import Pipe

from .errors import IngestError

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


class ChildFailed(IngestError):
    """The child ran out of time or memory, or crashed."""


def run_isolated(
    produce: Callable[..., Iterator], *args, memory_mb: int, total_seconds: float, idle_seconds: float
) -> Iterator:
    """Yield what produce(*args) yields, computed in a child process.

    An IngestError raised in the child is raised again here with its message;
    any other exception becomes an IngestError naming it. The child is killed
    when it is silent for idle_seconds or runs past total_seconds, and its
    address space is capped at memory_mb above the parent's.
    """
    reader, writer = Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # the child: never returns
        reader.close()
        _run_child(produce, args, writer, memory_mb, total_seconds)
    writer.close()
    deadline = time.monotonic() + total_seconds
    finished = False
    try:
        while True:
            wait = min(idle_seconds, deadline - time.monotonic())
            if wait <= 0 or not reader.poll(wait):
                raise ChildFailed(_timeout_message(deadline, total_seconds, idle_seconds))
            try:
                kind, payload = reader.recv()
            except EOFError:
                raise ChildFailed(_crash_message(_reap(pid), memory_mb)) from None
            if kind == "item":
                yield payload
            elif kind == "end":
                finished = True
                return
            elif kind == "memory":
                raise ChildFailed(
                    f"Reading this file needed more than {memory_mb} MB of memory, the limit for one "
                    "document, so it was stopped. The file is kept; an administrator can raise the limit."
                )
            else:  # "error": (exception class name, state, message)
                error = IngestError(payload[2])
                error.state = payload[1]
                raise error
    finally:
        reader.close()
        if not finished:
            _kill(pid)
        _reap(pid)


def _run_child(produce, args, writer, memory_mb: int, total_seconds: float) -> None:
    try:
        _limit_child(memory_mb, total_seconds)
        for item in produce(*args):
            writer.send(("item", item))
        writer.send(("end", None))
    except (MemoryError, SystemError):
        # SystemError here is C code that failed to allocate under RLIMIT_AS.
        _send_quietly(writer, ("memory", None))
    except IngestError as exc:
        _send_quietly(writer, ("error", (type(exc).__name__, exc.state, exc.message)))
    except BaseException as exc:
        message = f"The file could not be read ({type(exc).__name__}: {str(exc)[:200]})."
        _send_quietly(writer, ("error", (type(exc).__name__, "failed", message)))
    finally:
        # Skip atexit handlers and finalizers: they belong to the parent (its
        # database connection above all).
        os._exit(0)


def _limit_child(memory_mb: int, total_seconds: float) -> None:
    # Die with the parent: a SIGKILLed worker must not leave a parser running.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    faulthandler.disable()  # a crash is reported by its signal, not a dump into the worker's log
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    headroom = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (_address_space() + headroom,) * 2)
    cpu = int(total_seconds) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    # Broken files make pypdf warn thousands of times; the reason we record is enough.
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _send_quietly(writer, message) -> None:
    with contextlib.suppress(OSError, ValueError):
        writer.send(message)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _reap(pid: int) -> int:
    """Wait for the child; return its status (0 if someone else reaped it)."""
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return 0


def _timeout_message(deadline: float, total_seconds: float, idle_seconds: float) -> str:
    if time.monotonic() >= deadline:
        return (
            f"Reading this file took longer than {total_seconds:g} seconds, the limit for one "
            "document, so it was stopped. The file is kept."
        )
    return (
        f"The reader spent more than {idle_seconds:g} seconds on one page without finishing "
        "(a malformed or pathological page), so it was stopped. The file is kept."
    )


def _crash_message(status: int, memory_mb: int) -> str:
    # Under RLIMIT_AS a failed allocation in C code often ends in SIGSEGV or
    # SIGABRT rather than a MemoryError, so name the limit as a likely cause.
    cause = f"possibly by reaching its memory limit of {memory_mb} MB"
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number == signal.SIGXCPU:
            return "Reading this file used more processor time than allowed, so it was stopped."
        return f"The reader crashed on this file (signal {signal.Signals(number).name}), {cause}. The file is kept."
    return f"The reader stopped unexpectedly on this file, {cause}. The file is kept."
