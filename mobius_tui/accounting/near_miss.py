"""Customers and vendors a package already holds under nearly the same name.

When a Manage company is not found in the package by its number, the package may still hold it under
another number: typed "ACME Inc." there and "Acme, Incorporated" in Manage. Creating it again would
split its history across two records, so every package's check asks :func:`near_misses` first and
reports what it finds ("did you mean …; set its number to …").

Two names match when they differ only by case, spaces, punctuation or a trailing legal form
(Inc., Ltd, LLC, Corp, GmbH, S.E.N.C. …). Accents and words are kept: "Café Nord" and "Cafe Nord"
are different names to this matcher, as they may be different businesses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Trailing legal forms, written as they read once dots and apostrophes are dropped and the rest
# of the punctuation is a space ("S.E.N.C." → "senc", "L.L.C." → "llc").
LEGAL_FORMS = frozenset({
    "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "ltee", "ltée", "llc", "llp",
    "lp", "plc", "pc", "pllc", "gmbh", "ag", "kg", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy", "ab", "as",
    "pty", "pte", "senc", "sencrl", "enr", "cie",
})
# Words that only count as part of a legal form ("& Co.", "et Cie"): dropped only before one.
_JOINERS = frozenset({"and", "et"})
_DROPPED = re.compile(r"[.'’`]")
_SEPARATORS = re.compile(r"[^\w]+", re.UNICODE)


def name_key(name: str) -> str:
    """The part of a company name that tells it apart: lower case, no punctuation or spaces, no
    trailing legal form. "" when nothing is left (a name that is only a legal form)."""
    words = [w for w in _SEPARATORS.split(_DROPPED.sub("", name.casefold()).replace("&", " and ")) if w]
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
        while len(words) > 1 and words[-1] in _JOINERS:
            words.pop()
    if len(words) == 1 and words[0] in LEGAL_FORMS:
        return ""
    return "".join(words)


@dataclass(frozen=True)
class NearMiss:
    number: str  # the package's customer or vendor number
    name: str  # its name there


class NearMissIndex:
    """The package's customers (or vendors) by :func:`name_key`, built once per check."""

    def __init__(self, parties: Iterable[tuple[str, str]]) -> None:
        self._by_key: dict[str, list[NearMiss]] = {}
        for number, name in parties:
            key = name_key(name or "")
            if key and number:
                self._by_key.setdefault(key, []).append(NearMiss(str(number), str(name)))

    def find(self, name: str, *, besides: str = "") -> list[NearMiss]:
        """Records whose name matches ``name``, leaving out number ``besides`` (the one looked for)."""
        key = name_key(name or "")
        return sorted((m for m in self._by_key.get(key, []) if m.number != besides), key=lambda m: m.number) if key else []


def did_you_mean(found: list[NearMiss], noun: str, where: str) -> str:
    """The fix sentence for near misses: which record, and which Manage field to set to its number.

    ``noun`` is "customer" or "vendor"; ``where`` the Manage field, e.g. "Account on the company's
    Finance > Company Finance screen"."""
    names = "; ".join(f"{noun} {m.number} ({m.name})" for m in found[:5])
    more = f" and {len(found) - 5} more" if len(found) > 5 else ""
    number = found[0].number if len(found) == 1 else "its number"
    return (f"Did you mean {names}{more}? If it is the same company, set {where} in Manage to {number}; if it is "
            "another company, give it a name that tells them apart.")
