"""Civil-status tables: events (issue 13); imported by civil/models.py."""
