"""Exact JSON numbers for money: the neutral encoder and both clients' encoders built on it."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobius_tui.accounting.sage300.client import decode as sage_decode
from mobius_tui.accounting.sage300.client import encode as sage_encode
from mobius_tui.manage.models import InvoicePayment, PatchOperation, to_wire, to_wire_json
from mobius_tui.wire.json import dumps, loads, python_dumps

# (value, the JSON number it must be written as)
AWKWARD = [
    (Decimal("0.10"), "0.10"),
    (Decimal("1E+2"), "100"),
    (Decimal("12345678901234567.89"), "12345678901234567.89"),
    (Decimal("-0.00"), "-0.00"),
    (Decimal("1E-7"), "0.0000001"),
    (Decimal("-98765432109876543210.123456789"), "-98765432109876543210.123456789"),
]
ENCODERS = {"neutral": dumps, "sage300": sage_encode, "manage": to_wire_json}


@pytest.mark.parametrize("encoder", ENCODERS.values(), ids=ENCODERS.keys())
@pytest.mark.parametrize(("value", "text"), AWKWARD, ids=[t for _, t in AWKWARD])
def test_awkward_decimals_are_written_digit_for_digit_and_read_back(encoder, value: Decimal, text: str) -> None:
    body = encoder({"amount": value, "lines": [value]})
    assert body == f'{{"amount":{text},"lines":[{text}]}}'.encode()
    back = loads(body)
    assert back == {"amount": value, "lines": [value]} == sage_decode(body)


def test_scale_and_sign_survive_the_round_trip() -> None:
    for value in (Decimal("0.10"), Decimal("-0.00"), Decimal("12345678901234567.89")):
        (back,) = loads(dumps([value]))
        assert back.as_tuple() == value.as_tuple()


def test_manage_payment_model_and_patch_go_out_exact() -> None:
    amount = Decimal("12345678901234567.89")
    payment = InvoicePayment(type="P", amount=amount, paymentDate=datetime(2025, 4, 2))
    assert to_wire_json(payment) == b'{"type":"P","amount":12345678901234567.89,"paymentDate":"2025-04-02T00:00:00Z"}'
    patch = [PatchOperation(op="replace", path="/amount", value=amount),
             {"op": "replace", "path": "/paymentDate", "value": date(2025, 4, 9)}]
    assert json.loads(to_wire_json(patch), parse_float=Decimal) == [
        {"op": "replace", "path": "/amount", "value": amount},
        {"op": "replace", "path": "/paymentDate", "value": "2025-04-09T00:00:00Z"},
    ]
    # The plain-JSON view keeps working for code that encodes with the json module.
    assert to_wire(InvoicePayment(amount=Decimal("100.10")))["amount"] == 100.10


def test_what_json_cannot_carry_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="NaN is not a number JSON can carry"):
        dumps({"amount": Decimal("NaN")})
    with pytest.raises(ValueError, match="inf"):
        dumps([float("inf")])
    with pytest.raises(TypeError, match="set cannot be written as JSON"):
        dumps({1, 2})
    with pytest.raises(TypeError, match="set cannot be sent to Manage"):
        to_wire_json({"ids": {1, 2}})
    with pytest.raises(ValueError, match="NaN is not a JSON number"):
        loads(b'{"amount": NaN}')


def test_default_converts_other_types_and_a_default_that_does_not_help_fails() -> None:
    assert dumps({"on": date(2025, 1, 2)}, default=str) == b'{"on":"2025-01-02"}'
    with pytest.raises(TypeError, match="date cannot be written as JSON"):
        dumps([date(2025, 1, 2)], default=lambda d: d)


def test_empty_bodies_read_as_none() -> None:
    assert loads(b"") is None and loads(b" \n") is None and loads("null") is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_plain_values_are_written_as_the_json_module_writes_them(value) -> None:
    assert dumps(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_every_finite_decimal_round_trips_exactly(value: Decimal) -> None:
    (back,) = loads(dumps([value]))
    assert back == value


bodies = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.decimals(allow_nan=False, allow_infinity=False)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.lists(inner, max_size=3).map(tuple)
    | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(bodies)
def test_the_fast_encoder_writes_what_the_python_encoder_writes(value) -> None:
    """msgspec writes most bodies; whatever it is given, the bytes are the Python encoder's."""
    assert dumps(value) == python_dumps(value)
