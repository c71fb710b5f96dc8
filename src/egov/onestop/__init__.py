"""Bộ phận Một cửa: procedure catalogue, dossiers, slips, clock, statistics (docs/onestop.md)."""
