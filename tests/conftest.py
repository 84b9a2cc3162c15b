"""Shared fixtures: where the real corpora and the seed article live."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPORA = SHARED / "corpora"
SEED = SHARED / "seed" / "000_c8082c7e9795db6b.txt"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's chromium package
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium (/usr/bin/chromium) is not installed"
)


@pytest.fixture(autouse=True, scope="session")
def _private_cache_folder(tmp_path_factory):
    """Keep the load cache of every test (reports cache their corpus by default) out of the
    user's ~/.cache: one temporary folder for the session, inherited by kernels and workers."""
    import os

    before = os.environ.get("TOOLKIT_CACHE_DIR")
    if before is None:
        os.environ["TOOLKIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("toolkit-cache"))
    yield
    if before is None:
        os.environ.pop("TOOLKIT_CACHE_DIR", None)


def read_bbc_plainly(corpora: Path):
    """The BBC corpus read with plain Python, independently of the toolkit's loader: one row per
    file with doc_id (path), section (folder), title (line 1) and text (the rest)."""
    import pandas as pd

    rows = []
    for path in sorted((corpora / "bbc").glob("*/*.txt")):
        raw = path.read_bytes()
        try:
            content = raw.decode("utf-8")
        except UnicodeDecodeError:
            content = raw.decode("latin-1")  # sport/199.txt
        title, _, body = content.partition("\n")
        rows.append((str(path.relative_to(corpora)), path.parent.name, title.strip(), body.strip()))
    return pd.DataFrame(rows, columns=["doc_id", "section", "title", "text"])


def chromium_dom(page: Path, tmp_path: Path) -> str:
    """The DOM of ``page`` after headless Chromium ran its scripts, with the network cut off."""
    profile = tempfile.mkdtemp(dir=tmp_path, prefix="chromium-profile-")
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={profile}",
        # No network: every host name fails to resolve and any proxied request goes nowhere.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--virtual-time-budget=10000",
        "--dump-dom",
        page.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture
def corpora() -> Path:
    if not CORPORA.is_dir():
        pytest.skip(f"real corpora not found at {CORPORA} (../shared/corpora beside the repository)")
    return CORPORA


@pytest.fixture
def seed() -> Path:
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED} (../shared/seed beside the repository)")
    return SEED
