"""Civil-status tables: certificates (issue 13); imported by civil/models.py."""
