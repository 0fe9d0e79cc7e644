"""Statistics the checks decide on: the ranking core (threshold counts, ROC/PR AUC),
intervals (Wilson, Poisson bootstrap), calibration (ECE, Brier), leakage statistics
(time ranges, shared ids, univariate AUC) and the paired champion comparison."""
