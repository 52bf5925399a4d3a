"""The one password rule (NIST SP 800-63B): 12 to 128 characters, not a common password, not the username."""
from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 128  # NIST asks for at least 64; a cap keeps a megabyte "password" from costing a scrypt run
# 20,000 common passwords (lowercased), as Django ships them for its CommonPasswordValidator: Royce Williams'
# list, https://gist.github.com/roycewilliams/226886fd01572964e1431ac8afc999ce (Django's BSD licence). Kept in the
# repository so the check needs no network.
COMMON_LIST = Path(__file__).resolve().parent / "common-passwords.txt.gz"
RULE_TEXT = (f"At least {MIN_LENGTH} characters (at most {MAX_LENGTH}); any characters, spaces included. "
             "A passphrase of a few unrelated words is easy to remember and hard to guess. "
             "Common passwords and your username are refused.")


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_LIST, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def password_problem(password: str, username: str = "") -> str | None:
    """Why this password cannot be used, in words, or None when it can. No other composition rules: NIST
    SP 800-63B advises against them (they make passwords harder to remember, not harder to guess)."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters (this one has {len(password)})."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters (this one has {len(password):,})."
    folded = password.strip().lower()
    if folded in common_passwords():
        return "This is one of the most common passwords, so it is among the first an attacker tries. Choose another."
    if username and folded == username.strip().lower():
        return "The password must not be your username."
    return None
