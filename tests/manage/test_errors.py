from mobius_tui.manage.errors import (
    AuthenticationFailed,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    Unavailable,
    error_for_status,
    parse_error_body,
)


def test_json_error_body_with_field_errors():
    body = parse_error_body(
        b'{"code":"InvalidObject","message":"configuration object is invalid",'
        b'"errors":[{"code":"MissingRequiredField","message":"id or deviceIdentifier is required.",'
        b'"resource":"configuration","field":"id"}]}',
        "application/json",
    )
    assert body.code == "InvalidObject"
    assert body.message == "configuration object is invalid"
    assert body.field_errors[0].field == "id"
    error = error_for_status(400, body, method="POST", where="/company/configurations")
    assert isinstance(error, InvalidRequest)
    assert error.field_errors[0].code == "MissingRequiredField"
    assert "configuration.id: id or deviceIdentifier is required." in str(error)
    assert "POST /company/configurations" in str(error)


def test_plain_text_and_html_bodies_are_tolerated():
    text = parse_error_body(b"Cannot route. Codebase/company is invalid", "text/plain")
    assert text.code is None and text.message == "Cannot route. Codebase/company is invalid"
    html = parse_error_body(
        b"<!DOCTYPE html><html><head><title>Error 1015 | Rate limited</title></head><body>...</body></html>",
        "text/html; charset=UTF-8",
    )
    assert html.message == "Error 1015 | Rate limited"
    assert parse_error_body(b"<html><body>oops</body></html>").message == "an HTML error page"
    assert parse_error_body(b"").message is None
    assert parse_error_body(b'"just a string"').message == "just a string"
    long = parse_error_body(b"x" * 5000)
    assert len(long.message) <= 300
    assert parse_error_body(b'{"errors":"not a list","code":7}').code == "7"


def test_status_mapping_and_hints():
    body = parse_error_body(b'{"code":"ConnectWiseApi","message":"UserNotAuthenticated"}')
    auth = error_for_status(401, body, method="GET", where="/system/info", auth_hint="Check the keys.")
    assert isinstance(auth, AuthenticationFailed) and auth.status == 401
    assert "UserNotAuthenticated" in str(auth) and "Check the keys." in str(auth)

    denied = error_for_status(403, parse_error_body(b""), method="POST", where="/finance/accounting/batches")
    assert isinstance(denied, PermissionDenied)
    assert "Security Roles" in str(denied) and "Accounting Interface" in str(denied)
    assert "API Reports" in str(denied)

    missing = error_for_status(404, parse_error_body(b'{"code":"NotFound","message":"x"}'), method="GET", where="/a")
    assert isinstance(missing, NotFound) and missing.code == "NotFound"

    for status in (429, 500, 502, 503, 504):
        assert isinstance(error_for_status(status, parse_error_body(b""), method="GET", where="/a"), Unavailable)
    conflict = error_for_status(409, parse_error_body(b""), method="PUT", where="/a", suffix=" More.")
    assert isinstance(conflict, InvalidRequest) and str(conflict).endswith(" More.")
