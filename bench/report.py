"""The side-by-side table and the verdict against the targets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bench.scenario import Scenario
from bench.simulate import Figures

DRAIN_TOLERANCE = 0.10


@dataclass(frozen=True)
class Verdict:
    all_exported: bool
    no_duplicates: bool
    empty_dead_letter_queue: bool
    drain_within_tolerance: bool

    @property
    def met(self) -> bool:
        return (
            self.all_exported
            and self.no_duplicates
            and self.empty_dead_letter_queue
            and self.drain_within_tolerance
        )

    def to_dict(self) -> dict[str, bool]:
        return {
            "all_exported": self.all_exported,
            "no_duplicates": self.no_duplicates,
            "empty_dead_letter_queue": self.empty_dead_letter_queue,
            "drain_within_10_percent_of_floor": self.drain_within_tolerance,
            "met": self.met,
        }


def verdict(figures: Figures) -> Verdict:
    ratio = figures.drain_ratio
    return Verdict(
        all_exported=figures.exported == figures.snapshots,
        no_duplicates=figures.duplicate_task_snapshots == 0,
        empty_dead_letter_queue=figures.dead_letter_messages == 0,
        drain_within_tolerance=ratio is not None and ratio <= 1 + DRAIN_TOLERANCE,
    )


def hours(seconds: float | None) -> str:
    if seconds is None:
        return "never (not all exported)"
    minutes = round(seconds / 60)
    return f"{minutes // 60}h{minutes % 60:02d}m"


def _percent(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)"


def rows(ours: Figures, baseline: Figures) -> list[tuple[str, str, str]]:
    def both(render: Any) -> tuple[str, str]:
        return render(ours), render(baseline)

    def ratio(f: Figures) -> str:
        return "-" if f.drain_ratio is None else f"{f.drain_ratio:.3f} x floor"

    return [
        ("exports completed / snapshots", *both(lambda f: _percent(f.exported, f.snapshots))),
        (
            "snapshots with more than one export task",
            *both(lambda f: str(f.duplicate_task_snapshots)),
        ),
        ("messages in the dead-letter queue", str(ours.dead_letter_messages), "no queue"),
        ("events dropped after retries", "-", str(baseline.dropped_events)),
        ("messages expired (retention)", str(ours.expired_messages), "-"),
        ("drain time (first snapshot -> last export)", *both(lambda f: hours(f.drain_seconds))),
        (
            "  of the snapshots whose event arrived",
            *both(lambda f: hours(f.drain_delivered_seconds)),
        ),
        ("physical floor ceil(N/5) x export time", *both(lambda f: hours(f.floor_seconds))),
        ("drain / floor", *both(ratio)),
        ("StartExportTask calls", *both(lambda f: str(f.start_attempts))),
        ("  refused by the 5-export quota", *both(lambda f: str(f.quota_rejections))),
        ("peak exports running", *both(lambda f: str(f.peak_running))),
        # The original design never waits: what it cannot start it drops.
        (
            "idle export slot-hours while work waited",
            f"{ours.idle_slot_seconds_with_backlog / 3600:.2f}",
            "-",
        ),
        ("longest wait for a slot", hours(ours.longest_wait_seconds), "-"),
        ("handler invocations", *both(lambda f: str(f.handler_invocations))),
        ("records processed", str(ours.records_processed), "-"),
        ("deferrals (ExportsDeferred)", str(ours.deferrals), "-"),
        ("early arrivals re-sent (wait > 15 min)", str(ours.resends_without_deferral), "-"),
    ]


def table(lines: Iterable[tuple[str, str, str]], headers: tuple[str, str, str]) -> str:
    lines = [headers, *lines]
    widths = [max(len(row[i]) for row in lines) for i in range(3)]
    rendered = []
    for index, row in enumerate(lines):
        rendered.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            rendered.append("  ".join("-" * w for w in widths))
    return "\n".join(rendered)


def render(
    scenario: Scenario,
    ours: Figures,
    baseline: Figures,
    diagnosis: list[tuple[str, Figures]] | None = None,
) -> str:
    result = verdict(ours)
    parts = [
        f"Burst: {scenario.count} automated snapshots "
        f"({sum(1 for s in scenario.snapshots if s.snapshot.kind == 'cluster')} Aurora cluster, "
        f"{sum(1 for s in scenario.snapshots if s.snapshot.kind == 'instance')} instance) "
        f"created within {scenario.window_minutes:g} minutes; each export takes "
        f"{scenario.export_minutes:g} minutes; {scenario.duplicated} events delivered twice, "
        f"{scenario.lost} never delivered; seed {scenario.seed}.",
        "",
        table(rows(ours, baseline), ("", "this module", "original design")),
        "",
        "This module: decisions "
        + _counts(ours.decisions)
        + "; sweeps "
        + "; ".join(_sweep_line(s) for s in ours.sweeps),
        "Original design: errors " + (_counts(baseline.errors) or "none"),
        "",
        "Targets for this module: "
        + ", ".join(
            f"{name} {'yes' if ok else 'NO'}"
            for name, ok in (
                ("100% exported", result.all_exported),
                ("no duplicate tasks", result.no_duplicates),
                ("empty dead-letter queue", result.empty_dead_letter_queue),
                ("drain within 10% of the floor", result.drain_within_tolerance),
            )
        ),
    ]
    if ours.not_exported:
        parts.append("Not exported: " + ", ".join(ours.not_exported[:10]))
    if diagnosis:
        parts += ["", "What the drain time depends on (this module, same burst):"]
        diag_rows = [
            (
                label,
                hours(f.drain_seconds),
                "-" if f.drain_ratio is None else f"{f.drain_ratio:.3f}",
            )
            for label, f in diagnosis
        ]
        parts.append(table(diag_rows, ("setting", "drain", "x floor")))
    parts += [
        "",
        "Simulated: SQS, SNS and RDS are in-memory fakes on a simulated clock (the RDS fake "
        "enforces the five-export ceiling); the function code is the real one.",
    ]
    return "\n".join(parts)


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in sorted(counter.items()))


def _sweep_line(sweep: dict[str, Any]) -> str:
    return f"{sweep['at'][:16]} queued {sweep.get('queued', '?')}"


def as_json(
    scenario: Scenario,
    ours: Figures,
    baseline: Figures,
    diagnosis: list[tuple[str, Figures]] | None = None,
) -> dict[str, Any]:
    return {
        "scenario": {
            "snapshots": scenario.count,
            "export_minutes": scenario.export_minutes,
            "window_minutes": scenario.window_minutes,
            "duplicated_events": scenario.duplicated,
            "lost_events": scenario.lost,
            "seed": scenario.seed,
        },
        "this_module": ours.to_dict(),
        "original_design": baseline.to_dict(),
        "targets": verdict(ours).to_dict(),
        "diagnosis": [
            {"setting": label, "drain_seconds": f.drain_seconds, "drain_ratio": f.drain_ratio}
            for label, f in (diagnosis or [])
        ],
    }
