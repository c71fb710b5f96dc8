"""Plugins of the directives module: adapters of the upward sync (`base.SyncAdapter`), chosen
per endpoint by `SyncTarget.adapter` ("https_json" built in)."""
