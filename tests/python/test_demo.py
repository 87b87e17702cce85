"""The local demo runs end to end on a moto server and every decision is the expected one.

Runs ``python -m demo`` in a child process, as a user would, so the moto server and the
function's module state stay out of this test process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_result() -> tuple[subprocess.CompletedProcess[str], dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    completed = subprocess.run(
        [sys.executable, "-m", "demo", "--json"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = json.loads(completed.stdout) if completed.stdout.strip().startswith("{") else {}
    return completed, output


def test_demo_exits_zero_with_no_unexpected_outcome(demo_result):
    completed, output = demo_result
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert output["problems"] == []


def test_demo_summary_counts_match_the_scenario(demo_result):
    _, output = demo_result
    assert output["summary"] == {
        "records": 12,
        "exported": 6,
        "already_exported": 1,
        "skipped": 2,
        "tracked": 2,
        "failed": 1,
        "filtered_by_subscription": 2,
        "queued_by_sweep": 1,
        "dead_letter_messages": 1,
        # the unreadable message and the failed export; completed exports only emit a metric
        "notifications": 2,
    }


def test_demo_exports_land_under_the_prefix_and_task_identifier(demo_result):
    _, output = demo_result
    exported = [row for row in output["rows"] if row["decision"] == "exported"]
    for row in exported:
        assert row["s3_uri"].startswith("s3://demo-exports-123456789012-us-east-1/")
        assert row["s3_uri"].endswith(f"/{row['export_task_id']}/")
        assert len(row["export_task_id"]) <= 60
        assert ":" not in row["s3_uri"].removeprefix("s3:")


def test_demo_filter_policy_lists_the_chosen_and_the_export_result_events(demo_result):
    _, output = demo_result
    event_ids = output["filter_policy"]["EventID"]
    assert {"RDS-EVENT-0169", "RDS-EVENT-0091", "RDS-EVENT-0164", "RDS-EVENT-0159"} <= set(
        event_ids
    )
    assert "RDS-EVENT-0197" not in event_ids
