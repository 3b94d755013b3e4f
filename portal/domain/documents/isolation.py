"""Running a parser on hostile bytes in a child process with a memory and time budget.

qpdf has no limit on how far it inflates a compressed object stream: a 1 MB upload that inflates to 1 GB
took 17 s and 1.1 GB of memory in the web process. A forked child gets an address-space limit (what it
already maps plus `memory_bytes`), a CPU limit and a wall-clock deadline; if it runs out of any, crashes
or is killed, the upload is refused as damaged and the web process is untouched. A fork costs a few
milliseconds and needs no imports (the child is a copy of the process that already loaded the parsers).
"""

from __future__ import annotations

import os
import resource
import select
import signal
import time
from collections.abc import Callable

from portal.domain.documents.refused import UploadRefused

_PAGE = os.sysconf("SC_PAGE_SIZE")


def run_limited(function: Callable[[bytes], bytes], data: bytes, *, memory_bytes: int, seconds: int) -> bytes:
    """`function(data)` computed in a child process: its result, its UploadRefused raised again here, or
    UploadRefused("damaged") when it failed in any other way or ran out of memory or time."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's coverage is not collected
        _child(function, data, write_end, read_end, memory_bytes, seconds)
    os.close(write_end)
    answer = None
    try:
        answer = _read_until(read_end, time.monotonic() + seconds + 5)
    finally:
        os.close(read_end)
        if answer is None:
            os.kill(child, signal.SIGKILL)  # past its deadline (or this process was interrupted): stop it
        os.waitpid(child, 0)
    if not answer:
        raise UploadRefused("damaged")
    kind, body = answer[:1], answer[1:]
    if kind == b"R":
        return body
    raise UploadRefused(body.decode() if kind == b"E" else "damaged")


def _child(function, data, write_end, read_end, memory_bytes, seconds) -> None:  # pragma: no cover
    try:
        os.close(read_end)
        with open("/proc/self/statm", "rb") as statm:
            mapped = int(statm.read().split()[0]) * _PAGE
        resource.setrlimit(resource.RLIMIT_AS, (mapped + memory_bytes, mapped + memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
        try:
            answer = b"R" + function(data)
        except UploadRefused as refused:
            answer = b"E" + refused.reason.encode()
        except BaseException:  # noqa: BLE001 - MemoryError, a parser's own errors: all mean "damaged" here
            answer = b"X"
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(answer)
    finally:
        os._exit(0)  # no atexit handlers, no flushing of the parent's buffers or connections


def _read_until(read_end: int, deadline: float) -> bytes | None:
    """Everything the child writes, or None when the deadline passes first."""
    chunks = []
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([read_end], [], [], left)
        if ready:
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    return None
