"""eGov: open-source e-government suite for Vietnamese People's Committees."""

__version__ = "0.1.0"
