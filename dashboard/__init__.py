"""Peer supervision oversight dashboard: the application core."""
