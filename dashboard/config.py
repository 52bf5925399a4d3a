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
    # The sign-in throttle (dashboard/throttle.py): failures per account and address lock that pair for 1, 2,
    # 4 ... minutes up to the cap; failures from one address across all accounts lock that address for the window.
    login_max_failures: int = 5
    login_lock_max_minutes: int = 60
    login_forget_hours: int = 24
    login_address_max_failures: int = 20
    login_window_minutes: int = 15
    # A sign-in session ends after this long without a request, and this long after sign-in whatever happens.
    session_idle_minutes: int = 30
    session_lifetime_hours: int = 12
    # Request bodies: callbacks and forms; the import page's upload callback gets its own, larger cap.
    max_request_bytes: int = 1024 * 1024
    proxy_count: int = 0  # reverse proxies in front of the app, whose X-Forwarded-For to trust
    testing: bool = False
    # Start-up prints a one-time setup link when no administrator has a password (tests build their own accounts).
    first_admin_link: bool = True

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
            login_lock_max_minutes=int(env.get("LOGIN_LOCK_MAX_MINUTES", "60")),
            login_forget_hours=int(env.get("LOGIN_FORGET_HOURS", "24")),
            login_address_max_failures=int(env.get("LOGIN_ADDRESS_MAX_FAILURES", "20")),
            login_window_minutes=int(env.get("LOGIN_WINDOW_MINUTES", "15")),
            session_idle_minutes=int(env.get("SESSION_IDLE_MINUTES", "30")),
            session_lifetime_hours=int(env.get("SESSION_LIFETIME_HOURS", "12")),
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
