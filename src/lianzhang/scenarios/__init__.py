"""Scenario recruitment, supplier capability profiles and supply–demand matchmaking."""
