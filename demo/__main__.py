"""``python -m demo``: the export function end to end on a local moto server."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import Counter
from typing import Any

from demo import infrastructure, scenario
from demo.moto_server import MOTO_EXPORT_FIX, Clients, fix_moto_export_lookup, moto_server

DECISION_WORDS = {
    "exported": "exported",
    "already_exported": "already exported",
    "skipped": "skipped",
    "tracked": "tracked",
    "failed": "failed, sent to the DLQ",
    "deferred": "deferred",
    "retry": "left for redelivery",
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m demo",
        description="Run the snapshot export function against a local moto server.",
    )
    parser.add_argument("--logs", action="store_true", help="also print the function's log lines")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser.parse_args(argv)


def execute(run: scenario.Run) -> dict[str, Any]:
    """Start moto, deploy, play every step; return facts about the deployment."""
    from snapshot_export.config import Config  # noqa: PLC0415 - the function's package
    from snapshot_export.logs import get_logger  # noqa: PLC0415
    from snapshot_export.runtime import Runtime  # noqa: PLC0415

    settings = infrastructure.load_settings()
    chosen = scenario.event_ids(settings)
    fixed = fix_moto_export_lookup()
    logger = get_logger()
    capture = scenario.LogCapture(run)
    logger.addHandler(capture)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        with moto_server() as endpoint:
            aws = Clients(endpoint)
            deployment = infrastructure.deploy(aws, settings, chosen)
            scenario.create_databases(aws)
            env = infrastructure.function_environment(
                deployment, settings, event_ids=chosen, db_identifiers=scenario.DB_IDENTIFIERS
            )
            runtime = Runtime(
                config=Config.from_env(env),
                rds=aws.rds,
                sqs=aws.sqs,
                sns=aws.sns,
                metrics_sink=lambda line: _count_metric(run.metrics, line),
            )
            scenario.play(aws, deployment, runtime, run)
            return {
                "endpoint": endpoint,
                "moto_fix_applied": fixed,
                "names": deployment.names,
                "filter_policy": {"EventID": deployment.subscribed_event_ids},
                "environment": env,
            }
    finally:
        logger.removeHandler(capture)


def _count_metric(metrics: Counter[str], line: str) -> None:
    document = json.loads(line)
    for directive in document.get("_aws", {}).get("CloudWatchMetrics", []):
        for metric in directive.get("Metrics", []):
            metrics[metric["Name"]] += 1


def table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def decision_text(row: scenario.Row) -> str:
    words = DECISION_WORDS.get(row.decision, row.decision)
    if row.decision == "skipped":
        return f"{words}: {_short(row.reason)}"
    if row.decision == "tracked":
        return f"{words}: export {row.reason}"
    if row.decision == "failed":
        return f"{words} ({_short(row.reason)})"
    return words


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def summary_counts(run: scenario.Run) -> dict[str, int]:
    counts = Counter(row.decision for row in run.rows)
    return {
        "records": len(run.rows),
        "exported": counts["exported"],
        "already_exported": counts["already_exported"],
        "skipped": counts["skipped"],
        "tracked": counts["tracked"],
        "failed": counts["failed"],
        "filtered_by_subscription": sum(run.filtered.values()),
        "queued_by_sweep": int(run.sweep.get("queued") or 0),
        "dead_letter_messages": len(run.dead_letter),
        "notifications": len(run.notifications),
    }


def render(run: scenario.Run, facts: dict[str, Any], problems: list[str], seconds: float) -> str:
    names = facts["names"]
    lines = [
        f"Local demo on moto at {facts['endpoint']} (region us-east-1, fake credentials).",
        f"Created from settings.json: bucket {names['bucket']}, key {names['key_alias']}, "
        f"export role {names['export_role']}, topic {names['event_topic']}, queue "
        f"{names['queue']} with dead-letter queue {names['dead_letter_queue']}, alert topic "
        f"{names['notification_topic']}.",
        "Subscription filter policy: " + json.dumps(facts["filter_policy"]),
        f"DB_IDENTIFIERS: {facts['environment']['DB_IDENTIFIERS']}; "
        f"EVENT_IDS: {facts['environment']['EVENT_IDS']}",
        "",
    ]
    rows = [["step", "arrived", "snapshot", "decision", "export task", "S3 location"]]
    for row in run.rows:
        rows.append(
            [
                row.step,
                row.arrived,
                row.subject,
                decision_text(row),
                "-" if row.decision == "skipped" else row.export_task_id or "-",
                "-" if row.decision == "skipped" else row.s3_uri or "-",
            ]
        )
    lines.append(table(rows))
    lines.append("")
    filter_notes = [
        f"{step}: {published} published, {delivered} delivered"
        for step, (published, delivered) in run.published.items()
    ]
    lines.append(
        "Subscription filter, applied by moto (the first message is published without "
        "attributes; RDS-EVENT-0197 is not in EVENT_IDS): " + "; ".join(filter_notes) + "."
    )
    long_ids = [r.export_task_id for r in run.rows if r.subject.startswith("analytics-")]
    if long_ids:
        lines.append(
            f"Long name: {long_ids[0]} ({len(long_ids[0])} characters; RDS allows 60) "
            "- cut and made unique with a hash of the ARN."
        )
    sweep = run.sweep
    lines.append(
        f"Sweep: examined {sweep.get('examined')}, already exported "
        f"{sweep.get('already_exported')}, not in DB_IDENTIFIERS {sweep.get('filtered_out')}, "
        f"queued {sweep.get('queued')}."
    )
    lines.append(
        "Dead-letter queue: "
        + (", ".join(d.get("ErrorCode", "?") for d in run.dead_letter) or "empty")
    )
    lines.append("Notifications: " + ("; ".join(run.notifications) or "none"))
    lines.append("Metrics (EMF): " + ", ".join(f"{k} {v}" for k, v in sorted(run.metrics.items())))
    lines.append("")
    counts = summary_counts(run)
    verdict = "all as expected" if not problems else f"{len(problems)} UNEXPECTED"
    lines.append(
        f"Summary: {counts['records']} records: {counts['exported']} exported, "
        f"{counts['already_exported']} already exported, {counts['skipped']} skipped, "
        f"{counts['tracked']} tracked, {counts['failed']} failed; "
        f"{counts['filtered_by_subscription']} held back by the filter; "
        f"{counts['queued_by_sweep']} found by the sweep; {verdict} ({seconds:.1f} s)."
    )
    lines += [f"  - {problem}" for problem in problems]
    lines += [
        "",
        "What this does not show: moto completes every export task at once and writes no "
        "Parquet files to the bucket, and it does not emit RDS events (the demo publishes them "
        "as RDS does) or check the role, key or bucket. "
        + (MOTO_EXPORT_FIX if facts["moto_fix_applied"] else "")
        + " terraform apply against an AWS account is the real deployment.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    run = scenario.Run()
    facts = execute(run)
    problems = scenario.check(run)
    seconds = time.monotonic() - started
    if args.json:
        print(
            json.dumps(
                {
                    "summary": summary_counts(run),
                    "problems": problems,
                    "rows": [row.__dict__ for row in run.rows],
                    "filter_policy": facts["filter_policy"],
                },
                indent=2,
            )
        )
    else:
        print(render(run, facts, problems, seconds))
    if args.logs:
        print("\nFunction log lines:")
        print("\n".join(run.log_lines))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
