"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mobius_tui.sandbox.manage.harness import ManageSandbox, running_manage_sandbox


@pytest.fixture
def manage_sandbox() -> Iterator[ManageSandbox]:
    """A fresh Manage sandbox on 127.0.0.1 (60 invoices, seed 7, in-memory store).

    Attributes:
      url          site root "http://127.0.0.1:PORT" (companyinfo: {url}/login/companyinfo/{company_id})
      api_url      url + "/v4_6_release/apis/3.0"
      site         "127.0.0.1:PORT"
      credentials  DemoCredentials: company_id, public_key, private_key, client_id,
                   integrator_username, integrator_password, member_identifier,
                   readonly_public_key, readonly_private_key (member without the accounting role)
      store        ManageStore: dataset, unposted_counts(), set_setup(**flags), batches(),
                   batch_by_identifier(name), batched_entry_ids(batch_id), export_ids_for(glexport),
                   expire_tokens(), reset(); one batch "OPENING-2025-03-31" already exists
      faults       Faults: change attributes (latency_ms, throttle_next, error_next, drop_next,
                   drop_after_commit_next, slow_body_chunk, ...) and .only(method, path) at run time
      headers      clientId + Accept + Authorization for the demo API member
      client()     an httpx.Client on api_url with those headers
    """
    with running_manage_sandbox() as sandbox:
        yield sandbox
