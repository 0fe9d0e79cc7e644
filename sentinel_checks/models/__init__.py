"""Models: loading (skops, pickle only when trusted, MLflow), scoring, the baselines, one
evaluation per model (scores, threshold counts, the operating threshold), experiments."""
