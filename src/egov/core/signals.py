"""Signal handlers of the shared kernel."""
from . import calendar  # noqa: F401
