"""``python -m bench``: a burst of snapshots through this module and through the original design."""

from __future__ import annotations

import argparse
import json
import sys

from bench import report, scenario, simulate
from bench.simulate import Knobs


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=(
            "Simulate a backup window in which many RDS and Aurora snapshots are created at once "
            "and compare this module's export function with the original SNS-to-Lambda design."
        ),
    )
    parser.add_argument("--snapshots", type=int, default=200, help="snapshots in the burst (200)")
    parser.add_argument(
        "--export-minutes", type=float, default=30.0, help="duration of one export (30)"
    )
    parser.add_argument(
        "--duplicates",
        type=float,
        default=0.1,
        help="fraction of events SNS delivers twice (0.1)",
    )
    parser.add_argument("--lost", type=int, default=3, help="events never delivered (3)")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the scenario (7)")
    parser.add_argument(
        "--window-minutes", type=float, default=30.0, help="length of the backup window (30)"
    )
    parser.add_argument(
        "--sweep-after-minutes",
        type=float,
        default=120.0,
        help="first daily sweep this long after the window opens (120)",
    )
    parser.add_argument("--backoff-base", type=int, help="BACKOFF_BASE_SECONDS for this run")
    parser.add_argument("--backoff-max", type=int, help="BACKOFF_MAX_SECONDS for this run")
    parser.add_argument("--concurrency", type=int, help="event source mapping maximum concurrency")
    parser.add_argument(
        "--quota-code",
        help="error code the fake RDS answers at the ceiling (ExportTaskLimitReachedFault); "
        "AWS's code is not in botocore's model",
    )
    parser.add_argument(
        "--listing-lag",
        type=float,
        default=0.0,
        help="seconds before DescribeExportTasks lists a new task (0)",
    )
    parser.add_argument(
        "--diagnose",
        action="store_true",
        help="also rerun with other backoff, jitter and concurrency settings "
        "(done anyway when the drain target is missed)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when this module misses a target"
    )
    return parser.parse_args(argv)


def diagnosis_variants(base: Knobs) -> list[tuple[str, Knobs]]:
    def variant(**changes: object) -> Knobs:
        values = {**base.__dict__, **changes}
        return Knobs(**values)

    return [
        ("as configured", base),
        ("BACKOFF_MAX_SECONDS=900", variant(backoff_max_seconds=900)),
        ("BACKOFF_MAX_SECONDS=1800", variant(backoff_max_seconds=1800)),
        ("BACKOFF_BASE_SECONDS=30", variant(backoff_base_seconds=30)),
        ("jitter off (factor fixed at 0.75)", variant(jitter=False)),
        ("maximum_concurrency=1", variant(maximum_concurrency=1)),
        ("maximum_concurrency=5", variant(maximum_concurrency=5)),
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    burst = scenario.build(
        args.snapshots,
        export_minutes=args.export_minutes,
        duplicates=args.duplicates,
        lost=args.lost,
        seed=args.seed,
        window_minutes=args.window_minutes,
    )
    knobs = Knobs(
        backoff_base_seconds=args.backoff_base,
        backoff_max_seconds=args.backoff_max,
        maximum_concurrency=args.concurrency,
        first_sweep_after_minutes=args.sweep_after_minutes,
        quota_error_code=args.quota_code,
        listing_lag_seconds=args.listing_lag,
    )
    ours = simulate.run_ours(burst, knobs)
    baseline = simulate.run_baseline(burst, knobs)
    diagnosis = None
    if args.diagnose or not report.verdict(ours).drain_within_tolerance:
        diagnosis = [
            (label, ours if variant is knobs else simulate.run_ours(burst, variant))
            for label, variant in diagnosis_variants(knobs)
        ]
    if args.json:
        print(json.dumps(report.as_json(burst, ours, baseline, diagnosis), indent=2))
    else:
        print(report.render(burst, ours, baseline, diagnosis))
    if args.check and not report.verdict(ours).met:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
