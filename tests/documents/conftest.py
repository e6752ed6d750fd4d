"""Hand-written GLExport fixtures (tests/documents/fixtures/*.json), read as the wire models."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mobius_tui.manage.models import GLExport

FIXTURES = Path(__file__).parent / "fixtures"


def _raw(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


_CACHE: dict[str, dict[str, Any]] = {}


@pytest.fixture
def raw() -> Callable[[str], dict[str, Any]]:
    """A fresh, editable copy of a fixture's JSON."""

    def load(name: str) -> dict[str, Any]:
        if name not in _CACHE:
            _CACHE[name] = _raw(name)
        return copy.deepcopy(_CACHE[name])

    return load


@pytest.fixture
def export(raw: Callable[[str], dict[str, Any]]) -> Callable[..., GLExport]:
    """``export("invoices")`` or ``export(data_dict)`` → GLExport, parsed from JSON text as the
    client would receive it."""

    def build(source: str | dict[str, Any]) -> GLExport:
        data = raw(source) if isinstance(source, str) else source
        return GLExport.model_validate_json(json.dumps(data))

    return build
