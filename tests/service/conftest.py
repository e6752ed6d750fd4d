"""Every service test gets its own config and data folders (see ``harness.app_dirs``)."""

from tests.service.harness import app_dirs  # noqa: F401 - an autouse fixture
