"""Comprehensive evaluation: frameworks, composite indices, rankings, rank intervals, maturity."""
