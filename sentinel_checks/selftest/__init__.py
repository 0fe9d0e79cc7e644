"""sentinel selftest: the fault catalogue and the run that plants each fault and judges it."""
