"""Fault injection as a client sees it over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from mobius_tui.manage import models as m

PROBE = "/finance/accounting/unpostedinvoices/count"


def test_throttle_with_retry_after_then_recovers(manage_sandbox) -> None:
    manage_sandbox.faults.throttle_next = 2
    manage_sandbox.faults.retry_after = 7
    with manage_sandbox.client() as c:
        for _ in range(2):
            r = c.get(PROBE)
            assert r.status_code == 429 and r.headers["Retry-After"] == "7"
        assert c.get(PROBE).status_code == 200
    assert [k for k, _, _ in manage_sandbox.faults.injected] == ["throttle", "throttle"]


@pytest.mark.parametrize("status", [502, 503, 504])
def test_next_n_server_errors(manage_sandbox, status: int) -> None:
    manage_sandbox.faults.error_next = 1
    manage_sandbox.faults.error_status = status
    with manage_sandbox.client() as c:
        assert c.get(PROBE).status_code == status
        assert c.get(PROBE).status_code == 200


def test_error_rate_is_deterministic(manage_sandbox) -> None:
    def run() -> list[int]:
        manage_sandbox.faults._rng = None
        manage_sandbox.faults.error_rate = 0.3
        manage_sandbox.faults.seed = 11
        with manage_sandbox.client() as c:
            return [c.get(PROBE).status_code for _ in range(30)]

    first, second = run(), run()
    assert first == second
    assert 503 in first and 200 in first


def test_dropped_connection_is_a_transport_error(manage_sandbox) -> None:
    manage_sandbox.faults.drop_next = 1
    with manage_sandbox.client() as c:
        with pytest.raises(httpx.TransportError):
            c.get(PROBE)
        assert c.get(PROBE).status_code == 200


def test_drop_after_commit_keeps_the_batch(manage_sandbox) -> None:
    store = manage_sandbox.store
    faults = manage_sandbox.faults
    faults.only("POST", "/finance/accounting/batches").drop_after_commit_next = 1
    with manage_sandbox.client() as c:
        g = m.GLExport.model_validate(c.post("/finance/accounting/export", json={
            "exportInvoicesFlag": True, "includedInvoiceIds": [store.unposted_invoices()[0].unposted_id]}).json())
        body = {"exportInvoicesFlag": True, "batchIdentifier": "AFTER-COMMIT",
                "processedRecordIds": store.export_ids_for(g)}
        with pytest.raises(httpx.TransportError):
            c.post("/finance/accounting/batches", json=body)
        # the batch exists although the client never saw the answer; posting again is refused
        assert store.batch_by_identifier("AFTER-COMMIT") is not None
        found = c.get("/finance/accounting/batches", params={"conditions": 'batchIdentifier="AFTER-COMMIT"'}).json()
        assert len(found) == 1
        again = c.post("/finance/accounting/batches", json=body)
        assert again.status_code == 400 and again.json()["errors"][0]["code"] == "ObjectExists"


def test_only_matching_requests_are_hit(manage_sandbox) -> None:
    manage_sandbox.faults.only("GET", "/company/companies").error_next = 1
    with manage_sandbox.client() as c:
        assert c.get(PROBE).status_code == 200
        assert c.get("/company/companies").status_code == 503
        assert c.get("/company/companies").status_code == 200


def test_slow_body_and_latency_still_deliver_the_whole_response(manage_sandbox) -> None:
    faults = manage_sandbox.faults
    with manage_sandbox.client() as c:
        expected = c.get("/company/companies", params={"pageSize": 5}).json()
        faults.slow_body_chunk = 64
        faults.slow_body_delay_ms = 1
        faults.latency_ms = 5
        with c.stream("GET", "/company/companies", params={"pageSize": 5}) as r:
            chunks = [chunk for chunk in r.iter_raw()]
        assert len(chunks) > 3
        import json

        assert json.loads(b"".join(chunks)) == expected
        # a client with a read timeout shorter than the pauses sees a timeout
        faults.slow_body_delay_ms = 300
        with pytest.raises(httpx.ReadTimeout):
            c.get("/company/companies", params={"pageSize": 5}, timeout=httpx.Timeout(5.0, read=0.1))
    faults.clear()
    assert faults.slow_body_chunk == 0 and faults.latency_ms == 0
