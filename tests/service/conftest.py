"""Every service test gets its own config and data folders, and sandbox SL companies to post to."""

from tests.dynamics_sl.fixtures import pg_server, sl_templates  # noqa: F401 - fixtures
from tests.service.harness import app_dirs, new_env  # noqa: F401 - fixtures
