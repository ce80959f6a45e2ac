"""Where riskboard keeps what it downloads or converts: wheels, datasets, models."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "RISKBOARD_CACHE"


def cache_dir() -> Path:
    """The cache folder: $RISKBOARD_CACHE, else the platform's user cache dir; created on demand."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        path = Path(configured).expanduser()
    else:
        from platformdirs import user_cache_dir

        path = Path(user_cache_dir("riskboard"))
    path.mkdir(parents=True, exist_ok=True)
    return path
