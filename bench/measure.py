"""One way to take a ratio in `make bench`: two measures interleaved (A, B, A, B, …), so any drift of the
shared machine lands on both sides alike, with the spread of the per-pair ratios reported beside it.

    from bench.measure import compare, format_row

    figure = compare(lambda: client.get(url), lambda: raw(SQL), repeat=15)
    figure.ratio            # median of A / median of B: what a goal is judged on
    figure.as_dict()        # for bench/results.json
    print(format_row("dashboard / raw SQL", figure, "<= 2x"))

By default each side is timed (wall clock, seconds). With `timed=False` each call returns its own
figure instead (requests per second, say) and the ratio is of those figures.
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

LABEL_WIDTH = 42


def _quartiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return values[0], values[0]
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q3


@dataclass(frozen=True)
class Comparison:
    """Medians of A and B, their ratio, and how much the per-pair ratio A_i / B_i moved."""

    a: float  # median of A's samples (seconds when timed)
    b: float  # median of B's samples
    ratio: float  # a / b: the goal is judged on this
    ratio_q1: float  # the middle half of the per-pair ratios: [q1, q3]
    ratio_q3: float
    ratio_min: float
    ratio_max: float
    repetitions: int  # pairs measured (after the warm-up)
    timed: bool = True

    @property
    def iqr(self) -> float:
        return self.ratio_q3 - self.ratio_q1

    def as_dict(self, digits: int = 2) -> dict[str, Any]:
        """The figure for bench/results.json: medians (ms when timed), ratio and its spread."""
        sides: dict[str, Any] = (
            {"a_ms": round(self.a * 1000, 3), "b_ms": round(self.b * 1000, 3)}
            if self.timed
            else {"a": round(self.a, 1), "b": round(self.b, 1)}
        )
        return sides | {
            "ratio": round(self.ratio, digits),
            "ratio_iqr": [round(self.ratio_q1, digits), round(self.ratio_q3, digits)],
            "ratio_min_max": [round(self.ratio_min, digits), round(self.ratio_max, digits)],
            "repetitions": self.repetitions,
        }

    @classmethod
    def from_dict(cls, figure: dict[str, Any]) -> "Comparison":
        """Back from `as_dict` (a measure run in another process, e.g. bench/people_import.py)."""
        timed = "a_ms" in figure
        a, b = (figure["a_ms"] / 1000, figure["b_ms"] / 1000) if timed else (figure["a"], figure["b"])
        (q1, q3), (lo, hi) = figure["ratio_iqr"], figure["ratio_min_max"]
        return cls(a, b, figure["ratio"], q1, q3, lo, hi, figure["repetitions"], timed)

    def spread(self, percent: bool = False) -> str:
        """'IQR 1.21–1.35x, 1.10–1.52x' (the middle half of the per-pair ratios, then min–max)."""
        if percent:
            q1, q3, lo, hi = (f"{v * 100:.0f}" for v in (self.ratio_q1, self.ratio_q3, self.ratio_min, self.ratio_max))
            return f"IQR {q1}–{q3}%, range {lo}–{hi}%, n={self.repetitions}"
        q1, q3, lo, hi = (f"{v:.2f}" for v in (self.ratio_q1, self.ratio_q3, self.ratio_min, self.ratio_max))
        return f"IQR {q1}–{q3}x, range {lo}–{hi}x, n={self.repetitions}"

    def value(self, percent: bool = False) -> str:
        return f"{self.ratio * 100:.0f}%" if percent else f"{self.ratio:.2f}x"

    def sides(self) -> str:
        if self.timed:
            return f"{self.a * 1000:.2f} ms / {self.b * 1000:.2f} ms"
        return f"{self.a:.1f} / {self.b:.1f}"


def compare(
    a: Callable[[], Any],
    b: Callable[[], Any],
    *,
    repeat: int = 15,
    warmup: int = 2,
    timed: bool = True,
    between: Callable[[], Any] | None = None,
    budget_s: float | None = None,
    min_repeat: int = 5,
) -> Comparison:
    """Run `warmup` untimed pairs, then `repeat` pairs A, B, A, B, … and compare their medians.

    `between`, if given, runs untimed after every call (to undo a write, say). With `timed=False`, `a`
    and `b` return the figure to compare themselves (e.g. requests per second). With `budget_s`, the
    pairs are as many as fit in that many seconds (judged from the warm-up), at least `min_repeat`
    and at most `repeat`: a slow measure at 10x scale takes fewer pairs, never fewer than five."""
    if repeat < 1:
        raise ValueError("repeat must be at least 1")

    def sample(fn: Callable[[], Any]) -> float:
        if not timed:
            figure = float(fn())
        else:
            start = time.perf_counter()
            fn()
            figure = time.perf_counter() - start
        if between is not None:
            between()
        return figure

    started = time.perf_counter()
    for _ in range(warmup):
        sample(a)
        sample(b)
    if budget_s is not None and warmup:
        pair_s = (time.perf_counter() - started) / warmup
        repeat = max(min(min_repeat, repeat), min(repeat, int(budget_s / pair_s) if pair_s else repeat))
    a_samples, b_samples = [], []
    for _ in range(repeat):
        a_samples.append(sample(a))
        b_samples.append(sample(b))
    return summarise(a_samples, b_samples, timed=timed)


def summarise(a_samples: list[float], b_samples: list[float], *, timed: bool = True) -> Comparison:
    """The Comparison of samples taken in pairs (a_samples[i] beside b_samples[i])."""
    if len(a_samples) != len(b_samples) or not a_samples:
        raise ValueError("need as many A samples as B samples, at least one")
    pair_ratios = sorted(x / y for x, y in zip(a_samples, b_samples, strict=True) if y)
    if not pair_ratios:
        raise ValueError("every B sample was zero")
    median_a, median_b = statistics.median(a_samples), statistics.median(b_samples)
    q1, q3 = _quartiles(pair_ratios)
    return Comparison(
        a=median_a,
        b=median_b,
        ratio=median_a / median_b if median_b else float("inf"),
        ratio_q1=q1,
        ratio_q3=q3,
        ratio_min=pair_ratios[0],
        ratio_max=pair_ratios[-1],
        repetitions=len(a_samples),
        timed=timed,
    )


def format_row(label: str, figure: Comparison, goal: str = "", *, percent: bool = False) -> str:
    """One line of the bench's table: label, median ratio, goal, then the spread and the two medians."""
    return (
        f"{label:<{LABEL_WIDTH}}{figure.value(percent):>14}  {goal:<8} ({figure.spread(percent)}; {figure.sides()})"
    ).rstrip()
