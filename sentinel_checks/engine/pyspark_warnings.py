"""The warnings PySpark gives that a gate check ignores, over a project's own filters.

- ``ResourceWarning: unclosed <socket.socket …>``: PySpark leaves each query's result
  socket to the garbage collector. As an error (a project's ``filterwarnings = error``)
  it failed the check it landed in, and pytest kept its traceback, with the query's
  DataFrame and its plan in the JVM, until the check ended (docs/benchmarks.md, eleventh
  round: the tests' Spark session ran out of heap).
- ``UserWarning: toPandas attempted Arrow optimization …`` (a collect) and
  ``createDataFrame attempted Arrow optimization …`` (an upload): given with the Java
  error before re-raising a failed Arrow conversion, or before falling back without
  Arrow. As an error it hid the Java error the gate words (out of memory, …).

Only the standard library is imported here: the pytest plugin imports this module.
"""

from __future__ import annotations

import warnings

#: The starts of PySpark's Arrow warnings (collect, upload).
ARROW_WARNINGS = ("toPandas attempted Arrow optimization", "createDataFrame attempted Arrow optimization")
#: The start of the ResourceWarning of a socket the garbage collector closes.
UNCLOSED_SOCKET_WARNING = "unclosed <socket.socket"
#: Both as ``-W`` options (``sentinel gate`` passes them: collection and the run's end).
WARNING_OPTIONS = (
    f"-Wignore:{UNCLOSED_SOCKET_WARNING}:ResourceWarning",
    *(f"-Wignore:{text}:UserWarning" for text in ARROW_WARNINGS),
)


def ignore_arrow_warnings() -> None:
    """Ignore :data:`ARROW_WARNINGS` (UserWarning) in the current warning filters."""
    for text in ARROW_WARNINGS:
        warnings.filterwarnings("ignore", message=text, category=UserWarning)


def ignore_pyspark_warnings() -> None:
    """Ignore :data:`UNCLOSED_SOCKET_WARNING` (ResourceWarning) and :data:`ARROW_WARNINGS`
    in the current warning filters, first, so they win over every filter set before them;
    call inside ``warnings.catch_warnings()``."""
    warnings.filterwarnings("ignore", message=UNCLOSED_SOCKET_WARNING, category=ResourceWarning)
    ignore_arrow_warnings()
