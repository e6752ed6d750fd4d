"""The unattended-run tests reuse the service tests' harness: own folders and a sandbox SL company."""

from tests.dynamics_sl.fixtures import pg_server, sl_templates  # noqa: F401 - fixtures
from tests.headless import env, quick_retries  # noqa: F401 - fixtures
from tests.service.harness import app_dirs, new_env  # noqa: F401 - fixtures
