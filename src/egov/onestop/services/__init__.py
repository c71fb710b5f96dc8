"""Every write of the one-stop module, one module per use case (docs/onestop.md)."""
