"""Expert pool, conflict-aware review assignment, scoring and subsidy programmes."""
