"""Build the stand-in SDK and the real bridge source with Mono's C# compiler (mcs), for the sandbox.

The bridge source is compiled unchanged against the stand-in ``Sage_SA.SDK.dll``; both land in one
folder, so ``mono Sage50Bridge.exe`` finds the SDK next to it, as the Windows build finds the real one.
``SageImport.exe`` (the stand-in of Sage's Import Transactions menu) lands there too. Builds are cached
by a hash of the sources.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import platformdirs

STANDIN_SOURCE = Path(__file__).parent / "standin" / "SimplySDK.cs"
IMPORT_SOURCE = Path(__file__).parent / "standin" / "ImportTransactions.cs"
BRIDGE_SOURCE = Path(__file__).parents[2] / "accounting" / "sage50ca" / "bridge" / "Bridge.cs"
BRIDGE_EXE = "Sage50Bridge.exe"
IMPORT_EXE = "SageImport.exe"  # the stand-in of Sage 50's Import Transactions, next to the bridge
APT_HINT = ("Install the Debian packages mono-mcs, mono-runtime, libmono-system-data4.0-cil and "
            "libmono-system-web-extensions4.0-cil (or mono-devel).")


def _mcs() -> str:
    found = shutil.which("mcs")
    if not found:
        raise RuntimeError(f"Mono's C# compiler (mcs) is not installed. {APT_HINT}")
    return found


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:2])} failed: {(done.stdout + done.stderr).strip()[-3000:]}")


def build_bridge(directory: Path | None = None) -> Path:
    """Compile the stand-in SDK and the bridge into ``directory`` (default: a cache folder keyed by the
    sources); return the bridge's path."""
    digest = hashlib.sha256(STANDIN_SOURCE.read_bytes() + BRIDGE_SOURCE.read_bytes()
                            + IMPORT_SOURCE.read_bytes()).hexdigest()[:16]
    target = directory or Path(platformdirs.user_cache_dir("mobius-tui")) / "sage50-bridge" / digest
    exe = target / BRIDGE_EXE
    if exe.exists() and (target / "Sage_SA.SDK.dll").exists() and (target / IMPORT_EXE).exists():
        return exe
    target.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="s50-build-", dir=target))
    try:
        sdk = work / "Sage_SA.SDK.dll"
        _run([_mcs(), "-nologo", "-target:library", "-r:System.Data.dll", f"-out:{sdk}", str(STANDIN_SOURCE)])
        bridge = work / BRIDGE_EXE
        _run([_mcs(), "-nologo", "-target:exe", f"-r:{sdk}", "-r:System.Web.Extensions.dll", f"-out:{bridge}",
              str(BRIDGE_SOURCE)])
        importer = work / IMPORT_EXE
        _run([_mcs(), "-nologo", "-target:exe", "-r:System.Data.dll", f"-out:{importer}", str(STANDIN_SOURCE),
              str(IMPORT_SOURCE)])
        os.replace(importer, target / IMPORT_EXE)
        os.replace(sdk, target / "Sage_SA.SDK.dll")  # the SDK first: the bridge marks a finished build
        os.replace(bridge, exe)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return exe
