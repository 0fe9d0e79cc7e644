"""The model lifecycle on a registry: promote, adopt, rollback, disable, status."""
