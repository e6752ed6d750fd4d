"""Fixed demo credentials of the Manage sandbox. Not secrets: they only open the local sandbox.

* API member ``mobius-api`` (has the accounting security role): public/private key below.
* API member ``readonly-api`` (lacks it): its keys get 403 on /finance/accounting/* and payments.
* Integrator login ``mobius-integrator`` / ``IntegratorDemo1``: may only call
  ``POST /system/members/{memberIdentifier}/tokens``, which issues short-lived member keys.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

COMPANY_ID = "mobiusdemo"
CLIENT_ID = "3f1c8a2e-5b7d-4e90-9a61-2d4c7b8e0f13"


@dataclass(frozen=True)
class ApiKey:
    member: str
    public_key: str
    private_key: str
    accounting_role: bool


API_KEYS = (
    ApiKey("mobius-api", "MobiusDemoPublic", "MobiusDemoPrivateKey0001", True),
    ApiKey("readonly-api", "ReadOnlyPublic", "ReadOnlyPrivateKey0002", False),
)
INTEGRATOR_USERNAME = "mobius-integrator"
INTEGRATOR_PASSWORD = "IntegratorDemo1"
IMPERSONATED_MEMBER = "mobius-api"  # member the integrator login asks tokens for in the demo


@dataclass(frozen=True)
class DemoCredentials:
    company_id: str = COMPANY_ID
    public_key: str = API_KEYS[0].public_key
    private_key: str = API_KEYS[0].private_key
    client_id: str = CLIENT_ID
    integrator_username: str = INTEGRATOR_USERNAME
    integrator_password: str = INTEGRATOR_PASSWORD
    member_identifier: str = IMPERSONATED_MEMBER
    readonly_public_key: str = API_KEYS[1].public_key
    readonly_private_key: str = API_KEYS[1].private_key

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


DEMO = DemoCredentials()
