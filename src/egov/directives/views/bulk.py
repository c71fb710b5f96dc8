"""Bulk progress page (filled in below)."""
