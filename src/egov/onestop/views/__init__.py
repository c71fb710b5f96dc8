"""The one-stop desk's web pages."""
