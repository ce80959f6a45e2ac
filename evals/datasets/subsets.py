"""Deterministic, group-balanced subsets: `--limit N` without taking the first N rows."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def stable_rank(text: str) -> str:
    """A key that orders strings pseudo-randomly, the same way on every machine and run."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def balanced_subset(
    items: Sequence[T],
    limit: int | None,
    *,
    group: Callable[[T], str | None],
    key: Callable[[T], str],
) -> list[T]:
    """Up to `limit` items spread evenly over groups, in their original order.

    Groups take turns (in a fixed pseudo-random order) giving their next item (in a fixed
    pseudo-random order), so every group is represented before any gives a second item, and a
    smaller limit always picks a subset of what a larger one picks.
    """
    if limit is None or limit >= len(items):
        return list(items)
    queues: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        queues[group(item) or ""].append(index)
    for indexes in queues.values():
        indexes.sort(key=lambda i: stable_rank(key(items[i])))
    order = sorted(queues, key=stable_rank)
    chosen: list[int] = []
    depth = 0
    while len(chosen) < limit:
        for name in order:
            if depth < len(queues[name]) and len(chosen) < limit:
                chosen.append(queues[name][depth])
        depth += 1
    return [items[i] for i in sorted(chosen)]
