"""Signal handlers of the shared kernel."""
