#!/usr/bin/env bash
# Installs everything the test suite needs (system ODBC drivers and database servers included)
# and runs the whole suite. Used as-is by CI (.ci/run) and by developers:
#   bash tests/install_and_run.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(unixodbc unixodbc-dev libsqliteodbc odbc-postgresql postgresql mariadb-server odbc-mariadb mono-mcs mono-runtime libmono-system-data4.0-cil libmono-system-web-extensions4.0-cil openssl)

# Debian's python3 ships without venv; the suite runs in its own virtual environment.
python3 -c "import ensurepip" >/dev/null 2>&1 || SYSTEM_PACKAGES+=(python3-venv)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "Installing system packages: ${missing[*]}" >&2
    if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
    "${SUDO[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

exec .venv/bin/python -m pytest "$@"
