"""Statistics the checks decide on: the ranking core (ranking: threshold counts, ROC/PR
AUC, weighted; confusion: counts at a threshold), intervals (Wilson, Poisson bootstrap),
calibration (ECE, Brier), leakage statistics (time ranges, shared ids, univariate AUC),
drift (PSI), seeded bounded sampling, and the paired champion comparison."""
