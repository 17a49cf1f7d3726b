"""Where and how long runs trained, as the book says it: machine names, two-thread minutes, timing notes."""
from __future__ import annotations

import math
import re
from typing import Any

from ..analysis.cost import minutes_on_two_threads, two_thread_runs
from .format import join, number, plural


def cpu_title(name: str) -> str:
    """A processor's name as a reader reads it, without trademarks, clock and filler:
    'Intel(R) Xeon(R) Processor' -> 'Intel Xeon', 'AMD EPYC 7B13 64-Core Processor' -> 'AMD EPYC 7B13',
    'Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz' -> 'Intel Core i7-8700 CPU'; a name that is only the
    architecture ('x86_64', as some machines report it) or empty -> 'unnamed x86-64 CPU'."""
    if name.strip() in ("", "x86_64"):
        return "unnamed x86-64 CPU"
    name = re.sub(r"\((R|TM)\)", "", name, flags=re.IGNORECASE)
    name = re.sub(r"\s*@.*$", "", name)
    name = re.sub(r"\s+(\d+-Core\s+)?Processor\b", "", name)
    return " ".join(name.split())


def time_versus(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> str:
    """Two groups' minutes per seed side by side, saying whether the ratio means anything: '2.6
    against 7.2 minutes per seed, on one machine', or, from two CPUs, '…, on different CPUs: not
    comparable'. The machines themselves are named once, in the appendix."""
    (ma, _), (mb, _) = two_thread_minutes(a), two_thread_minutes(b)
    wa, wb = where_trained(two_thread_runs(a)), where_trained(two_thread_runs(b))  # the machines, without seed counts
    times = f"{number(ma, 1)} against {number(mb, 1)} minutes per seed"
    return f"{times}, on one machine" if wa == wb else f"{times}, on different CPUs: not comparable"


def timing_note(results: list[dict[str, Any]]) -> str:
    """Whether a set of runs was timed on one machine, for prose that compares their seconds per
    epoch: 'all timed on one machine', or, from several, a phrase that says the times are only
    indicative. The machines themselves are named once, in the appendix."""
    machines = {(r["provenance"]["device"], r["provenance"]["device_name"], r["provenance"]["threads"]) for r in results}
    if len(machines) == 1:
        return "all timed on one machine"
    if len({m[:2] for m in machines}) > 1:
        return f"timed on {len({m[:2] for m in machines})} different machines, so indicative only"
    return "timed with different thread counts, so indicative only"  # one CPU, 1 and 2 threads


def where_trained(results: list[dict[str, Any]]) -> str:
    """The one way the book says where runs trained: each machine once, with its share of the runs
    when there are several: '2 threads of an AMD EPYC 7B13 (40 runs) and 2 threads of an Intel Xeon
    (8 runs)'; one machine: '2 threads of an AMD EPYC'; a GPU: 'a GPU (NVIDIA H200)'."""
    counts: dict[tuple[str, str, int], int] = {}
    for r in results:
        p = r["provenance"]
        name = cpu_title(p["device_name"]) if p["device"] == "cpu" else p["device_name"]
        where = (p["device"], name, p["threads"])
        counts[where] = counts.get(where, 0) + 1
    parts = []
    for (device, name, threads), n in sorted(counts.items(), key=lambda item: -item[1]):
        article = "an" if name[:1].lower() in "aeiou" else "a"
        what = f"a GPU ({name})" if device == "cuda" else f"{plural(threads, 'thread')} of {article} {name}"
        parts.append(what + (f" ({plural(n, 'run')})" if len(counts) > 1 else ""))
    return join(parts)


def two_thread_minutes(results: list[dict[str, Any]]) -> tuple[float, str]:
    """Training minutes per seed of the runs timed on two threads, on the machine that trained most
    of those, and where (`where_trained`, with '1 of 3 seeds' added when the others ran elsewhere);
    (NaN, '') if none ran on two threads. Times compared in prose must come from one thread count:
    a seed retrained on one thread, or beside another process, takes longer without being a
    costlier recipe."""
    timed = two_thread_runs(results)
    if not timed:
        return math.nan, ""
    where = where_trained(timed) + (f", {len(timed)} of {plural(len(results), 'seed')}" if len(timed) < len(results) else "")
    return minutes_on_two_threads(timed), where
