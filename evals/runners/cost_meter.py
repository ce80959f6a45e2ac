"""The cost meter of a fine-tuning run: training wall time, tokens and examples, priced.

Only training time counts: forward, backward and optimizer steps (the `timing()` blocks).
Loading the model, saving adapters, registering them and evaluating are not metered; they are
overheads an attacker pays once, not per step. Values are cumulative along the run and survive a
resume: the meter starts from the values saved with the adapter it resumes from.

Arithmetic (evals.scoring.cost): device-hours = wall seconds × devices / 3600, and
USD = device-hours × price per device-hour. The price is the one given (`--usd-per-hour`), else
the assumed default of the device kind (`DEFAULT_USD_PER_DEVICE_HOUR`, e.g. "cpu": one CPU
machine). Wall seconds are rounded to milliseconds first, so the stored figures recompute exactly.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from evals.importing.records import CostPoint
from evals.scoring.cost import DEFAULT_USD_PER_DEVICE_HOUR, default_price, device_hours, usd
from evals.scoring.records import CostFacts


class PriceError(ValueError):
    """No price per device-hour is known for the device kind; the message says what to give."""


def price_per_hour(device: str, given: float | None) -> float:
    """The price per device-hour: the one given, else the documented default of the device kind."""
    if given is not None:
        if given < 0:
            raise PriceError("--usd-per-hour: must be 0 or more")
        return given
    price = default_price(device, DEFAULT_USD_PER_DEVICE_HOUR)
    if price is None:
        known = ", ".join(DEFAULT_USD_PER_DEVICE_HOUR)
        raise PriceError(
            f"--usd-per-hour: no default price for device kind {device!r} (known: {known}); give one"
        )
    return price


@dataclass
class MeterReading:
    """Cumulative totals of a run at one step; saved with each adapter so a resume continues."""

    step: int = 0
    wall_seconds: float = 0.0
    tokens: int = 0
    examples: int = 0

    def as_dict(self) -> dict[str, float | int]:
        """The reading as JSON-ready values."""
        return asdict(self)


@dataclass
class CostMeter:
    """Accumulates training time, tokens and examples; prices them as cost points."""

    device: str = "cpu"
    devices: int = 1
    usd_per_device_hour: float = DEFAULT_USD_PER_DEVICE_HOUR["cpu"]
    reading: MeterReading | None = None

    def __post_init__(self) -> None:
        self.reading = self.reading or MeterReading()

    @contextmanager
    def timing(self) -> Iterator[None]:
        """Count the wall time spent inside the block as training time."""
        started = time.perf_counter()
        try:
            yield
        finally:
            assert self.reading is not None
            self.reading.wall_seconds += time.perf_counter() - started

    def count_step(self, tokens: int, examples: int) -> None:
        """Record one optimizer step over `examples` examples holding `tokens` tokens."""
        assert self.reading is not None
        self.reading.step += 1
        self.reading.tokens += tokens
        self.reading.examples += examples

    def cost_point(self, *, dataset: str, training_run: str, dataset_size: int) -> CostPoint:
        """The current totals as a priced cost point (epochs = examples seen / dataset size)."""
        assert self.reading is not None
        facts = CostFacts(
            step=self.reading.step,
            device=self.device,
            devices=self.devices,
            wall_seconds=round(self.reading.wall_seconds, 3),
            usd_per_device_hour=self.usd_per_device_hour,
        )
        return CostPoint(
            step=facts.step,
            device=facts.device,
            devices=facts.devices,
            device_hours=device_hours(facts),
            wall_seconds=facts.wall_seconds,
            usd_per_device_hour=facts.usd_per_device_hour,
            usd=usd(facts),
            examples=self.reading.examples,
            tokens=self.reading.tokens,
            epochs=round(self.reading.examples / dataset_size, 4) if dataset_size else None,
            dataset=dataset,
            training_run=training_run,
        )
