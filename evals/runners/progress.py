"""Resumable runs: finished items are appended to a JSONL file after each batch.

The file is named after a hash of everything that decides the answers (model and its revision,
adapter, prompt set, settings), so rerunning the same command finds it and continues, and a
changed command starts afresh. The runner removes it once the run is stored.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.cache import cache_dir

Say = Callable[[str], None]
Records = list[dict[str, Any]]


def say_on_stderr(message: str) -> None:
    """The default way runners tell the user what they do."""
    print(message, file=sys.stderr)


def now() -> str:
    """The current UTC time as an ISO 8601 string (seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_key(identity: dict[str, Any]) -> str:
    """A short stable hash of what identifies a run's answers."""
    text = json.dumps(identity, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class RunProgress:
    """The progress file of one run: a header line, then one line per finished item."""

    def __init__(self, identity: dict[str, Any], folder: Path | None = None):
        self.identity = identity
        self.path = (folder or cache_dir() / "runs") / f"{run_key(identity)}.jsonl"
        self.started_at = now()
        self.done: dict[str, dict[str, Any]] = {}

    def load(self) -> int:
        """Read what an earlier, interrupted attempt finished; the number of items found."""
        if not self.path.is_file():
            return 0
        with self.path.open(encoding="utf-8") as stream:
            for line in stream:
                record = _parsed(line)
                if record is None:  # a line cut short by the interruption
                    continue
                if "header" in record:
                    self.started_at = record["header"].get("started_at", self.started_at)
                elif "id" in record:
                    self.done[str(record["id"])] = record
        return len(self.done)

    def append(self, records: Iterable[dict[str, Any]]) -> None:
        """Record finished items (flushed at once, so an interruption loses at most a batch)."""
        records = list(records)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new_file = not self.path.is_file()
        with self.path.open("a", encoding="utf-8") as stream:
            if new_file:
                header = {"started_at": self.started_at, "identity": self.identity}
                stream.write(json.dumps({"header": header}, default=str) + "\n")
            for record in records:
                stream.write(json.dumps(record, ensure_ascii=False) + "\n")
                self.done[str(record["id"])] = record

    def remove(self) -> None:
        """Delete the progress file (the run is stored)."""
        self.path.unlink(missing_ok=True)


def resume_and_run(
    tracker: RunProgress,
    ids: list[str],
    work: Callable[[list[str]], Iterator[Records]],
    *,
    noun: str,
    progress: bool,
    say: Say,
) -> int:
    """Do `work` on the ids an earlier attempt did not finish, recording each batch as it ends.

    `work(pending_ids)` yields one list of records (each with its "id") per batch. Returns how
    many ids the earlier attempt had finished.
    """
    found = tracker.load()
    if found:
        say(f"resuming: {found} of {len(ids)} {noun} done earlier ({tracker.path})")
    pending = [item_id for item_id in ids if item_id not in tracker.done]
    with progress_bar(len(ids), initial=found, disable=not progress, desc=noun) as bar:
        for records in work(pending) if pending else ():
            tracker.append(records)
            bar.update(len(records))
    return found


def _parsed(line: str) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None
    return record if isinstance(record, dict) else None


def progress_bar(
    total: int, *, initial: int = 0, disable: bool = False, desc: str = "prompts"
) -> Any:
    """A tqdm bar on stderr counting items (`desc` is their plural: prompts, questions)."""
    from tqdm import tqdm

    unit = desc.removesuffix("s")
    return tqdm(total=total, initial=initial, disable=disable, desc=desc, unit=unit)
