"""Configuration read from the environment; tests build their own Config."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

from dashboard.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


@dataclass(frozen=True)
class Config:
    database_url: str
    secret_key: str
    production: bool = False
    instance_path: Path = DEFAULT_INSTANCE
    seed_demo: bool = True  # seed the demo agency into an empty database (never in production)
    login_max_failures: int = 5
    login_window_minutes: int = 15
    proxy_count: int = 0  # reverse proxies in front of the app, whose X-Forwarded-For to trust
    testing: bool = False

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Config:
        env = dict(os.environ if environ is None else environ)
        production = env.get("PEERDASH_ENV", "development").lower() == "production"
        instance = Path(env.get("PEERDASH_INSTANCE", str(DEFAULT_INSTANCE)))
        secret = env.get("SECRET_KEY", "")
        if production and not secret:
            raise ConfigError("SECRET_KEY must be set in production (PEERDASH_ENV=production); "
                              "generate one with: python -c 'import secrets; print(secrets.token_hex(32))'")
        url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'peer_supervision.sqlite3'}"
        if url.startswith("sqlite"):
            ensure_writable(instance)
        if not secret:
            secret = development_secret(instance)
        return cls(
            database_url=normalise_database_url(url),
            secret_key=secret,
            production=production,
            instance_path=instance,
            seed_demo=not production and env.get("PEERDASH_SEED_DEMO", "1") != "0",
            login_max_failures=int(env.get("LOGIN_MAX_FAILURES", "5")),
            login_window_minutes=int(env.get("LOGIN_WINDOW_MINUTES", "15")),
            proxy_count=int(env.get("PEERDASH_PROXY_COUNT", "0")),
        )

    def with_(self, **changes: object) -> Config:
        return replace(self, **changes)  # type: ignore[arg-type]


def normalise_database_url(url: str) -> str:
    """Accept the postgres:// and postgresql:// forms hosting providers hand out; use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def ensure_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"instance folder {folder} is not writable ({exc.strerror}); "
                          "set PEERDASH_INSTANCE to a writable folder") from None


def development_secret(instance: Path) -> str:
    """A random key kept in the instance folder, so development sessions survive restarts."""
    key_file = instance / "secret_key"
    try:
        if key_file.exists():
            return key_file.read_text().strip()
        instance.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key
    except OSError:
        return secrets.token_hex(32)
