"""Reading whole numbers from text that a control, an address or a crafted request sent."""
from __future__ import annotations


def is_digits(text: str) -> bool:
    """Only the ASCII digits 0-9. str.isdigit() also passes '²' and other scripts' digits, which int() refuses
    (a 500) or reads as a number no control of ours sends."""
    return text.isascii() and text.isdigit()
