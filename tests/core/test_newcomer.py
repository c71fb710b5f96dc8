"""A newcomer's first hour (issue 8 §5): after `make run`, the README's `uv run egov …` commands
work in that checkout without setting variables; the set-up prints no warnings; the demo's
e-mails land in files under ./var/mail/; `make run` honours EGOV_DATABASE_URL.

Every test runs the real command in a subprocess with the production settings (no EGOV_DEBUG,
no EGOV_TESTING), as a newcomer's shell would."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
from psycopg import sql

from tests.documents.conftest import make_pdf

PROJECT = Path(__file__).resolve().parents[2]


def _clean_env(**env: str) -> dict[str, str]:
    """The caller's environment without any eGov or Django setting, plus `env`."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("EGOV_")
            and k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    base.update(env)
    return base


def _egov(args: list[str], var: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "egov.cli", *args],
                          env=_clean_env(EGOV_VAR_DIR=str(var)), capture_output=True,
                          text=True, timeout=timeout, cwd=PROJECT)


def _var_with_key(tmp_path: Path) -> Path:
    """A ./var/ as `make run` leaves it: the secret key file, nothing in the environment."""
    var = tmp_path / "var"
    var.mkdir()
    (var / "secret_key").write_text(secrets.token_urlsafe(64) + "\n")
    return var


def test_readme_commands_find_the_secret_key_the_demo_wrote(tmp_path):
    var = _var_with_key(tmp_path)
    check = _egov(["check"], var)
    assert check.returncode == 0, check.stdout + check.stderr
    migrate = _egov(["migrate", "--noinput", "-v", "0"], var)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    audit = _egov(["audit", "verify"], var)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "EGOV_SECRET_KEY" not in audit.stderr
    pdf = tmp_path / "van-ban.pdf"
    pdf.write_bytes(make_pdf("Van ban khong ky"))
    verify = _egov(["verify", str(pdf), "--json"], var)
    assert verify.returncode == 1, verify.stdout + verify.stderr  # read, and not signed
    report = json.loads(verify.stdout)
    assert report["valid"] is False and report["signatures"] == []


def test_without_the_key_file_the_clear_error_remains(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    result = _egov(["check"], var)
    assert result.returncode != 0
    assert "EGOV_SECRET_KEY is not set" in result.stderr
    assert str(var / "secret_key") in result.stderr


def test_system_check_under_sqlite_prints_no_warning(tmp_path):
    """W047 (a unique constraint SQLite cannot enforce) and any other warning would print."""
    var = _var_with_key(tmp_path)
    result = _egov(["check"], var)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced).", (
        result.stdout)
    assert result.stderr == ""


def test_mail_without_an_smtp_host_is_written_under_var_mail(tmp_path):
    var = _var_with_key(tmp_path)
    result = _egov(["sendtestemail", "lanhdao@example.gov.vn"], var)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "lanhdao@example.gov.vn" not in result.stdout  # not printed to the terminal
    files = list((var / "mail").iterdir())
    assert len(files) == 1
    text = files[0].read_text()
    assert "To: lanhdao@example.gov.vn" in text
    assert "Subject: Test email from" in text


def test_pdf_rendering_prints_no_font_warning():
    """WeasyPrint (drafts, exports, the demo) subsets fonts with HarfBuzz-Subset, which
    scripts/setup.sh installs; without it every PDF logs a warning."""
    code = ("import weasyprint; weasyprint.HTML(string='<p style=\"font-family: Liberation Serif\">"
            "Ủy ban nhân dân tỉnh Minh Phong</p>').write_pdf()")
    result = subprocess.run([sys.executable, "-c", code], env=_clean_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "HarfBuzz" not in result.stderr and "WARNING" not in result.stderr.upper(), (
        result.stderr)


# --- make run on PostgreSQL -----------------------------------------------------------------------

PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def test_make_run_uses_postgresql_when_egov_database_url_is_set(tmp_path):
    """`scripts/run-demo.sh --prepare-only` (make run without serving) migrates and loads the
    demo into the PostgreSQL database named by EGOV_DATABASE_URL, not into ./var/'s SQLite."""
    name = f"egov_newcomer_demo_{os.getpid()}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    var = tmp_path / "var"
    try:
        result = subprocess.run(
            [str(PROJECT / "scripts" / "run-demo.sh"), "--prepare-only"],
            env=_clean_env(EGOV_VAR_DIR=str(var), EGOV_DATABASE_URL=f"{PG_SERVER}/{name}"),
            capture_output=True, text=True, timeout=900, cwd=PROJECT)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert "Database: PostgreSQL" in result.stdout
        output = result.stdout + result.stderr
        for noise in ("warn", "harfbuzz", "too wide", "w047"):  # make run prints no warning
            assert noise not in output.lower(), output
        assert (var / "secret_key").is_file()
        assert not (var / "egov.sqlite3").exists()
        with psycopg.connect(f"{PG_SERVER}/{name}") as conn:
            users = {row[0] for row in conn.execute(
                "SELECT username FROM core_user WHERE is_demo")}
        assert {"admin", "vanthu", "lanhdao"} <= users
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))
