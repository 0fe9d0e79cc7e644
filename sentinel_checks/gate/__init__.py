"""The gate: its inputs loaded once (session; its data in session_data, its cache in
cache, its feature drift runs in feature_drift), one function per gate test (steps,
a package with one module per runbook phase), the config-to-limits map (policy), the
whole gate in process (runner), the report files (artefacts); the pytest plugin
(plugin: options and fixtures; plugin_reports: outcomes, reports and the terminal
summary; plugin_state: the session's state) and the pytest run behind
``sentinel gate`` (pytest_run)."""
