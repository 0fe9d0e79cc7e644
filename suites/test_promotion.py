"""The shipped gate suite `test_promotion` (sentinel_checks.suites). Add your own tests below
or in new files of this folder; they get the same fixtures (see docs/ci.md)."""

from sentinel_checks.suites.test_promotion import *  # noqa: F403
