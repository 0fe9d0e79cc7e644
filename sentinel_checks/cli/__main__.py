"""``python -m sentinel_checks.cli``: the ``sentinel`` command."""

import sys

from sentinel_checks.cli import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
