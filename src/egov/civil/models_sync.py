"""Civil-status tables: sync (issue 13); imported by civil/models.py."""
