"""Civil-status tables: intake (issue 13); imported by civil/models.py."""
