"""Hotlists, matching reads against them, alerts that a person must dispose of, and notifications."""
