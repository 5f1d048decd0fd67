"""The browser tier: Debian's chromium, headless. Installed here with apt-get when missing (as
root); when that is impossible the tier is skipped with a loud reason — never silently."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

CHROMIUM = "/usr/bin/chromium"


def _install() -> str | None:
    """Install chromium with apt-get; the reason it could not be, or None."""
    if shutil.which("apt-get") is None:
        return "apt-get is not available"
    if os.geteuid() != 0:
        return "not root: cannot apt-get install chromium"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            return f"{' '.join(cmd)} failed: {done.stderr.strip().splitlines()[-1:]}"
    return None if os.path.exists(CHROMIUM) else "apt-get ran but /usr/bin/chromium is missing"


@pytest.fixture(scope="session")
def chromium() -> str:
    if not os.path.exists(CHROMIUM):
        why = _install()
        if why is not None:
            msg = f"BROWSER TESTS SKIPPED: chromium is missing and {why}"
            print(f"\n*** {msg} ***\n", file=sys.stderr)
            pytest.skip(msg)
    return CHROMIUM
