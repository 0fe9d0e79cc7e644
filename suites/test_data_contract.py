"""The shipped gate suite `test_data_contract` (sentinel_checks.suites). Add your own tests below
or in new files of this folder; they get the same fixtures (see docs/ci.md)."""

from sentinel_checks.suites.test_data_contract import *  # noqa: F403
