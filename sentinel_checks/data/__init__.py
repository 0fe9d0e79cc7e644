"""Reading the user's data: files and loaders (io), the configured inputs, splits, identities
(fingerprints of data, config and models) and append-only JSON-lines files."""
