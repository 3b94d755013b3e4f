"""Human-friendly application references: `BR-7KQ4-M9XD`.

Service prefix, then 7 random characters and 1 check character from an alphabet without
look-alikes (no 0/O, 1/I/L, U). The check character is Luhn mod N over the alphabet, so a
single mistyped character or two swapped neighbours are caught before a lookup.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_N = len(ALPHABET)


def check_character(body: str) -> str:
    total, factor = 0, 2
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // _N + addend % _N
    return ALPHABET[(_N - total % _N) % _N]


def new_reference(prefix: str) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(7))
    code = body + check_character(body)
    return f"{prefix}-{code[:4]}-{code[4:]}"


def normalise(text: str) -> str | None:
    """A reference as a person may type it (`br 7kq4m9xd`), or None if it cannot be one."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(cleaned) < 10 or len(cleaned) > 11:
        return None
    prefix, code = cleaned[:-8], cleaned[-8:]
    if not prefix.isalpha() or any(ch not in ALPHABET for ch in code):
        return None
    if check_character(code[:-1]) != code[-1]:
        return None
    return f"{prefix}-{code[:4]}-{code[4:]}"
