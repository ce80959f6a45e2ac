"""Where the project's own data lives: `data/` in a checkout, else the copy a wheel installs.

`pip install -e .` (the README's way) reads `data/` in the checkout. A wheel (`pip install .`)
installs the same files under `<prefix>/share/riskboard/data/` (pyproject.toml's
`[tool.setuptools.data-files]`), which is where this looks when there is no checkout.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1] / "data"
INSTALLED = Path(sysconfig.get_path("data")) / "share" / "riskboard" / "data"


def data_path(*parts: str) -> Path:
    """A file or folder under data/: the checkout's when there is one, else the installed copy."""
    root = CHECKOUT if CHECKOUT.is_dir() else INSTALLED
    return root.joinpath(*parts)
