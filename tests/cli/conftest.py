"""The CLI tests reuse the service tests' ledger package and harness, and their own-folders fixture."""

from tests.service.harness import app_dirs  # noqa: F401 - an autouse fixture
