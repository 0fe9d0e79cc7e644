"""What an engine's error is: out of memory, out of disk, a file it could not read.

The engines raise their own types: DuckDB's ``duckdb.OutOfMemoryException`` (past
``memory_limit``, or nothing left to spill to), ``duckdb.InvalidInputException`` /
``duckdb.IOException`` (a damaged or missing file: ``Invalid Input Error: Failed to read
file "…/part-2/data.parquet": Snappy decompression failure``); Spark relays a Java
exception through Py4J (``py4j.protocol.Py4JJavaError``, whose ``java_exception`` is a
handle on the JVM's ``Throwable``) or as one of pyspark's ``CapturedException`` (its
``_desc`` and ``_stackTrace`` are Python strings). Spark out of memory is
``org.apache.spark.memory.SparkOutOfMemoryError`` (error condition
``UNABLE_TO_ACQUIRE_MEMORY``) or ``java.lang.OutOfMemoryError`` somewhere in the Java
cause chain; the Py4J message itself is only ``An error occurred while calling
o123.count.``. A driver JVM that ended mid-run (a session the gate builds exits on
``java.lang.OutOfMemoryError``: ``-XX:+ExitOnOutOfMemoryError``, so a dead scheduler thread
cannot hang the run) leaves only Py4J's side: ``ConnectionRefusedError`` from its socket,
``Py4JNetworkError``, or ``Py4JError`` without a Java exception; :func:`spark_jvm_gone`
tells it by the gateway's port refusing a connection.

Reading a Java exception asks the JVM (a stopped session raises): every access here is
guarded, so classifying an error never raises. Nothing here words a message for the
user; :mod:`sentinel_checks.gate.engine_setup` does, by ``[data] engine``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

#: Java classes of an out-of-memory error (``SparkOutOfMemoryError`` extends ``OutOfMemoryError``).
JAVA_OUT_OF_MEMORY = ("org.apache.spark.memory.SparkOutOfMemoryError", "java.lang.OutOfMemoryError")
#: Spark's error condition of a task that could not get execution memory.
SPARK_NO_MEMORY = "UNABLE_TO_ACQUIRE_MEMORY"
#: The text of an operating system's "disk full" (``ENOSPC``), in any engine's message.
_NO_SPACE = "No space left on device"
#: DuckDB's words when its temp_directory is full or past max_temp_directory_size (raised
#: as an OutOfMemoryException: the fix is room there, not memory).
_DUCKDB_NO_SPILL_ROOM = "failed to offload data block"
#: Markers of out of memory in a Spark error's text (the Java chain cannot always be read).
_SPARK_MEMORY_TEXT = (*JAVA_OUT_OF_MEMORY, SPARK_NO_MEMORY)
#: A file an engine names in its message: DuckDB quotes it, ``file "…"``.
_FILE = re.compile(r"""\bfiles? ["']([^"']+)["']""")
#: How long :func:`spark_driver_ended` waits for the JVM's gateway port to accept, in seconds.
_PROBE_SECONDS = 5.0
#: How deep a Java cause chain is followed (a cycle-safe bound).
_DEPTH = 16


def first_line(error: BaseException) -> str:
    """The first line of ``error``'s message, or its type's name when it has none; never
    raises (a Py4J error whose JVM is gone gives its Python-side message).

    >>> first_line(ValueError("bad\\nmore"))
    'bad'
    >>> first_line(MemoryError())
    'MemoryError'
    """
    text = error_text(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def error_text(error: BaseException) -> str:
    """``str(error)``, or what can be had without the JVM when that fails (Py4J's
    ``__str__`` asks the JVM for the Java stack trace): the Py4J message
    (``errmsg``), pyspark's description and stack trace (``_desc``, ``_stackTrace``)."""
    try:
        return str(error)
    except Exception:  # a Py4J error whose gateway is closed
        parts = [getattr(error, name, None) for name in ("errmsg", "_desc", "_stackTrace")]
        return "\n".join(p for p in parts if isinstance(p, str))


def out_of_engine_memory(error: BaseException) -> bool:
    """Whether ``error`` is an engine out of memory: Python's :class:`MemoryError`,
    DuckDB's ``OutOfMemoryException``, or Spark's (:func:`spark_memory_line` finds one)."""
    if isinstance(error, MemoryError):
        return True
    try:
        import duckdb
    except ImportError:  # the spark extra alone
        pass
    else:
        if isinstance(error, duckdb.OutOfMemoryException):
            return True
    return spark_memory_line(error) is not None


def out_of_engine_disk(error: BaseException) -> bool:
    """Whether ``error`` is an engine out of disk (where it spills, or a temp table's
    file): ``No space left on device`` in its message (DuckDB's ``IO Error``, Spark's
    ``java.io.IOException``, Python's ``OSError`` ``ENOSPC``), or DuckDB's "failed to
    offload data block" (its ``temp_directory`` full or at ``max_temp_directory_size``)."""
    import errno

    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return True
    said = error_text(error)
    if _NO_SPACE in said or _DUCKDB_NO_SPILL_ROOM in said:
        return True
    return any(_NO_SPACE in m for _, m in java_chain(error))


def out_of_engine_room(error: BaseException) -> bool:
    """Out of memory or out of disk (:func:`out_of_engine_memory`, :func:`out_of_engine_disk`):
    the engine's resources to raise, not the data or the model at fault."""
    return out_of_engine_memory(error) or out_of_engine_disk(error)


def spark_memory_line(error: BaseException) -> str | None:
    """The out-of-memory line of a Spark error: the ``Throwable`` of the Java cause chain
    that is ``SparkOutOfMemoryError`` / ``java.lang.OutOfMemoryError`` (or whose message
    holds ``UNABLE_TO_ACQUIRE_MEMORY``), as ``class: message``; else the first line of
    the error's text naming one of them; ``None`` when the error is not Spark out of
    memory. Never raises.
    """
    for name, message in java_chain(error):
        if name in JAVA_OUT_OF_MEMORY or SPARK_NO_MEMORY in message:
            said = message.strip().splitlines()[0] if message.strip() else ""
            return f"{name}: {said}" if said else name
    if _from_spark(error):
        for line in error_text(error).splitlines():
            if any(marker in line for marker in _SPARK_MEMORY_TEXT):
                return line.strip()
    if spark_jvm_gone(error):
        return (
            f"Spark's driver JVM ended mid-run ({type(error).__name__}: {first_line(error)}); "
            "a driver the gate starts exits on java.lang.OutOfMemoryError, which Spark's log "
            "on stderr then shows; one killed by the system for memory leaves no line"
        )
    return None


def spark_jvm_gone(error: BaseException) -> bool:
    """Whether ``error`` is Py4J failing to reach Spark's driver JVM because it ended:
    raised by Py4J (its types, or a ``ConnectionError`` from a frame of its modules:
    ``ConnectionRefusedError`` once the JVM is gone), not carrying a Java exception, and
    :func:`spark_driver_ended`. Never raises."""
    if hasattr(error, "java_exception") or not _from_py4j(error):
        return False
    return spark_driver_ended()


def spark_driver_ended(*, active_only: bool = False) -> bool:
    """Whether the driver JVM PySpark launched in this process has ended: its gateway's
    port refuses a connection (a TCP connect, at most :data:`_PROBE_SECONDS`: a JVM alive
    but stuck still accepts, and is not called ended). ``False`` when PySpark was never
    imported or never launched a JVM (PySpark is not imported here). ``active_only``: only
    while a SparkContext is active (``SparkContext.stop()`` clears it but keeps the
    gateway: a JVM stopped on purpose earlier in the process is not one that ended
    mid-run). Never raises."""
    import sys

    pyspark_context = sys.modules.get("pyspark.core.context") or sys.modules.get("pyspark.context")
    context = getattr(pyspark_context, "SparkContext", None)
    if active_only and getattr(context, "_active_spark_context", None) is None:
        return False
    parameters = getattr(getattr(context, "_gateway", None), "gateway_parameters", None)
    if parameters is None:
        return False
    import socket

    try:
        with socket.create_connection((parameters.address, parameters.port), timeout=_PROBE_SECONDS):
            return False
    except ConnectionRefusedError:  # nothing listens where the JVM did
        return True
    except Exception:  # a timeout, an unreachable or bad address: not known to have ended
        return False


def _from_py4j(error: BaseException) -> bool:
    """Raised by Py4J: its own types, or a ``ConnectionError`` raised in one of its frames."""
    if (type(error).__module__ or "").startswith("py4j"):
        return True
    if not isinstance(error, ConnectionError):
        return False
    frame = error.__traceback__
    while frame is not None:
        if str(frame.tb_frame.f_globals.get("__name__", "")).startswith("py4j"):
            return True
        frame = frame.tb_next
    return False


def java_chain(error: BaseException) -> Iterator[tuple[str, str]]:
    """``(class name, message)`` of the Java exception a Py4J error carries
    (``java_exception``) and of each of its causes; nothing for any other error, and
    the chain stops where the JVM cannot be asked (each access guarded)."""
    java = getattr(error, "java_exception", None)
    if java is None:
        java = getattr(error, "_origin", None)  # pyspark's CapturedException
    for _ in range(_DEPTH):
        if java is None:
            return
        try:
            name = str(java.getClass().getName())
        except Exception:  # no JVM to ask
            return
        try:
            message = java.getMessage()
        except Exception:
            message = None
        yield name, str(message) if message is not None else ""
        try:
            java = java.getCause()
        except Exception:
            return


def named_file(error: BaseException) -> str | None:
    """The file an engine's error names (DuckDB: ``Failed to read file "…"``), if any.

    >>> named_file(ValueError('Invalid Input Error: Failed to read file "/d/p.parquet": Snappy'))
    '/d/p.parquet'
    >>> named_file(ValueError("Out of Memory Error")) is None
    True
    """
    found = _FILE.search(error_text(error))
    return found.group(1) if found else None


def unreadable_file_error(error: BaseException) -> bool:
    """Whether ``error`` is DuckDB's reading of the data failing (``InvalidInputException``:
    a damaged page; ``IOException``: a file missing or unreadable) rather than a resource."""
    try:
        import duckdb
    except ImportError:
        return False
    return isinstance(error, (duckdb.InvalidInputException, duckdb.IOException))


def _from_spark(error: BaseException) -> bool:
    """Whether ``error`` is one Spark relays (Py4J's or pyspark's types)."""
    module = type(error).__module__ or ""
    return module.startswith(("py4j", "pyspark")) or hasattr(error, "java_exception")
