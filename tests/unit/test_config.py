"""Bad configuration stops with one clear line; production refuses what is only for demos."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard.cli import cli
from dashboard.config import PROJECT_ROOT, Config
from dashboard.db import connect
from dashboard.errors import ConfigError
from dashboard.reference import DEFAULT_FRAMEWORK


def test_an_unreachable_database_is_named_by_host_and_port() -> None:
    with pytest.raises(ConfigError, match=r"cannot connect to the database at 127\.0\.0\.1:1/nowhere"):
        connect("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")


def test_a_database_address_that_is_not_one_is_refused() -> None:
    with pytest.raises(ConfigError, match="not a database address"):
        connect("not a url")


def test_an_unwritable_instance_folder_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match=f"instance folder {blocker / 'instance'} is not writable"):
        Config.from_env({"PEERDASH_INSTANCE": str(blocker / "instance")})


def read_only_database(folder: Path) -> Path:
    """An SQLite file in a writable folder, with no write permission (0444). Tests run as root, who may write it
    anyway, so what is checked is that the app refuses it, not that writing fails."""
    path = folder / "peer_supervision.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o444)
    return path


def test_a_read_only_sqlite_file_is_named(tmp_path: Path) -> None:
    path = read_only_database(tmp_path)
    with pytest.raises(ConfigError, match=f"database file {path} is read-only"):
        connect(f"sqlite:///{path}")


def test_the_app_stops_at_start_up_with_one_line_on_a_read_only_sqlite_file(tmp_path: Path) -> None:
    path = read_only_database(tmp_path)
    env = {**os.environ, "PEERDASH_INSTANCE": str(tmp_path), "PEERDASH_SEED_DEMO": "0", "SECRET_KEY": "k"}
    env.pop("DATABASE_URL", None)  # the instance folder's own database file
    started = subprocess.run([sys.executable, "-c", "import app"], cwd=PROJECT_ROOT, env=env, capture_output=True,
                             text=True, timeout=120)
    assert started.returncode == 1
    assert started.stderr.splitlines() == [f"error: database file {path} is read-only; make it writable "
                                           "(chmod u+w) or set DATABASE_URL to a writable database"]


def test_production_needs_a_secret_key_and_never_seeds_demo_accounts(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY must be set in production"):
        Config.from_env({"PEERDASH_ENV": "production", "PEERDASH_INSTANCE": str(tmp_path)})
    config = Config.from_env({"PEERDASH_ENV": "production", "SECRET_KEY": "k", "PEERDASH_INSTANCE": str(tmp_path)})
    assert config.production and not config.seed_demo


def test_postgres_addresses_use_psycopg_3(tmp_path: Path) -> None:
    config = Config.from_env({"DATABASE_URL": "postgres://u@h/db", "PEERDASH_INSTANCE": str(tmp_path)})
    assert config.database_url == "postgresql+psycopg://u@h/db"


def test_the_cli_refuses_demo_data_in_production(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["load-demo"], env={
        "PEERDASH_ENV": "production", "SECRET_KEY": "k", "PEERDASH_INSTANCE": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    assert result.exit_code == 2
    assert "refusing to load demo accounts in production" in result.output


def test_the_cli_loads_and_activates_a_framework_with_the_pages_audit_events(tmp_path: Path) -> None:
    env = {"PEERDASH_INSTANCE": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    assert CliRunner().invoke(cli, ["init-db"], env=env).exit_code == 0
    data = json.loads(DEFAULT_FRAMEWORK.read_text())
    data["version"] = "2015-agency"
    agency = tmp_path / "agency.json"
    agency.write_text(json.dumps(data))
    result = CliRunner().invoke(cli, ["load-framework", str(agency)], env=env)
    assert result.exit_code == 0, result.output
    assert "version 2015-agency is now active" in result.output
    with sqlite3.connect(tmp_path / "db.sqlite3") as con:
        events = con.execute("SELECT action, entity, username FROM audit_events ORDER BY id").fetchall()
        active = con.execute("SELECT version FROM frameworks WHERE is_active").fetchall()
    assert [(a, e) for a, e, _ in events] == [("load", "framework"), ("activate", "framework")]
    assert all(user.startswith("cli:") for _, _, user in events)
    assert active == [("2015-agency",)]


def test_the_cli_reports_a_framework_file_error_by_line(tmp_path: Path) -> None:
    bad = tmp_path / "framework.json"
    bad.write_text('{\n  "name": "X",\n  oops\n}\n')
    result = CliRunner().invoke(cli, ["load-framework", str(bad)], env={
        "PEERDASH_INSTANCE": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    assert result.exit_code == 2
    assert f"error: {bad}: line 3, column 3" in result.output
