"""Percentages and medians on the statistics pages: each worked out only from enough cases,
and a percentage only from published counts, so neither gives a hidden count away."""

from __future__ import annotations

from collections.abc import Mapping

from incidents.stats.disclosure import SUPPRESSED_SYMBOL

# No percentage, median or other statistic is worked out from fewer cases than this, and
# never from fewer than the suppression threshold (`check_bases`: a setting that broke this
# would show "Cases closed c" beside a median of those cases).
MINIMUM_BASE = 10


def check_bases(threshold: int, minimum_base: int) -> None:
    """Settings that contradict each other are refused with a plain message."""
    if threshold < 1:
        raise ValueError("STATS_SUPPRESSION_THRESHOLD must be at least 1")
    if minimum_base < threshold:
        raise ValueError(
            f"STATS_MINIMUM_BASE ({minimum_base}) must not be below "
            f"STATS_SUPPRESSION_THRESHOLD ({threshold}): a percentage or median would then "
            "be shown for a count that is hidden"
        )


def share(
    numerator: int, base: int, *, counts_published: bool, minimum_base: int = MINIMUM_BASE
) -> str:
    """A percentage, or `c` when it rests on fewer than MINIMUM_BASE cases or would let a
    reader work out a hidden count (both its parts must be published counts)."""
    if base < minimum_base or not counts_published:
        return SUPPRESSED_SYMBOL
    return f"{round(100 * numerator / base)}%"


def median_of(histogram: Mapping[int, int], *, minimum_base: int = MINIMUM_BASE) -> str:
    """The median of values given as {value: how many}, or `c` on fewer than MINIMUM_BASE."""
    total = sum(histogram.values())
    if total < minimum_base:
        return SUPPRESSED_SYMBOL
    ordered = sorted(histogram.items())

    def nth(n: int) -> int:
        seen = 0
        for value, count in ordered:
            seen += count
            if seen > n:
                return value
        raise AssertionError("unreachable: n is below the total")

    low, high = nth((total - 1) // 2), nth(total // 2)
    median = (low + high) / 2
    return f"{median:g}"
