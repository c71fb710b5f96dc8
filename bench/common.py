"""What every bench script shares: the database it runs on, Django's set-up, a timer.

Benches run as scripts (`uv run python bench/bench_x.py`), so `import common` finds this file."""

from __future__ import annotations

import os
import time


def setup_django(default_url: str | None = None, **env: str) -> None:
    """Point Django at EGOV_DATABASE_URL (or `default_url`) with debug settings and set it up.
    Extra keyword arguments are environment defaults (e.g. EGOV_MEDIA_ROOT=...)."""
    if default_url:
        os.environ.setdefault("EGOV_DATABASE_URL", default_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    os.environ.setdefault("EGOV_DEBUG", "1")
    for key, value in env.items():
        os.environ.setdefault(key, value)
    import django

    django.setup()


def ensure_database(url: str) -> None:
    """CREATE DATABASE if it does not exist (connecting to the maintenance database)."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    cfg = dj_database_url.parse(url)
    conninfo = {"host": cfg.get("HOST"), "port": cfg.get("PORT"), "user": cfg.get("USER"),
                "password": cfg.get("PASSWORD")}
    conninfo = {k: v for k, v in conninfo.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            [cfg["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg["NAME"])))
            print(f"created database {cfg['NAME']}")


class Timer:
    """`with Timer("label"):` prints how long the block took."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        print(f"  {self.label}: {time.perf_counter() - self.started:.1f} s", flush=True)
