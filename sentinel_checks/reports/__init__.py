"""What a gate run writes: gate.json/gate.md (gate_report), gate.html (html), figures,
threshold.json and experiments.csv (quality), the promotion decision record, and the
explanation of a failed check (explain)."""
