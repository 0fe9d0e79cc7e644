"""One small adapter per heavy third-party library, imported lazily.

A change upstream (skops, MLflow, pandera, Evidently) touches one file here.
"""
