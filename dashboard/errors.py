"""Errors that end start-up or a command with one clear line instead of a traceback."""


class ConfigError(Exception):
    """Bad configuration or environment: unreachable database, unwritable folder, unreadable file."""
