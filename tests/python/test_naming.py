"""Export task identifiers StartExportTask accepts, and S3 prefixes without ':'."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from builders import cluster_snapshot_arn, instance_snapshot_arn
from hypothesis import assume, given
from hypothesis import strategies as st
from snapshot_export.naming import (
    MAX_IDENTIFIER_LENGTH,
    export_task_identifier,
    parse_snapshot_arn,
    render_prefix,
    s3_uri,
    snapshot_name_from_arn,
    validate_prefix_template,
)

VALID = re.compile(r"^[a-z][a-z0-9-]*$")


def assert_valid_identifier(identifier: str, arn: str) -> None:
    assert VALID.match(identifier), identifier
    assert "--" not in identifier
    assert not identifier.endswith("-")
    assert len(identifier) <= MAX_IDENTIFIER_LENGTH
    assert identifier.endswith(hashlib.sha256(arn.encode()).hexdigest()[:8])


names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=300
)
arns = st.builds(
    lambda kind, name: f"arn:aws:rds:us-east-1:123456789012:{kind}:{name}",
    st.sampled_from(["snapshot", "cluster-snapshot"]),
    names,
)


@given(arns)
def test_every_identifier_follows_every_rule(arn: str) -> None:
    assert_valid_identifier(export_task_identifier(arn), arn)


@given(arns)
def test_identifier_is_the_same_every_time_for_one_snapshot(arn: str) -> None:
    assert export_task_identifier(arn) == export_task_identifier(arn)


@given(arns, arns)
def test_distinct_snapshots_never_share_an_identifier(first: str, second: str) -> None:
    assume(first != second)
    assert export_task_identifier(first) != export_task_identifier(second)


def test_automated_snapshot_loses_the_rds_prefix_and_keeps_its_name() -> None:
    arn = cluster_snapshot_arn("rds:orders-2026-12-03-03-09")
    identifier = export_task_identifier(arn)
    assert identifier.startswith("orders-2026-12-03-03-09-")
    assert_valid_identifier(identifier, arn)


def test_aws_backup_snapshot_loses_the_awsbackup_prefix() -> None:
    arn = instance_snapshot_arn("awsbackup:job-1a2B3c4D-5e6f")
    assert export_task_identifier(arn).startswith("job-1a2b3c4d-5e6f-")


def test_name_starting_with_a_digit_gets_a_letter_first() -> None:
    arn = instance_snapshot_arn("2026-nightly")
    identifier = export_task_identifier(arn)
    assert identifier.startswith("snapshot-2026-nightly-")
    assert_valid_identifier(identifier, arn)


def test_name_of_only_symbols_still_gives_a_valid_identifier() -> None:
    arn = instance_snapshot_arn("::--__!!")
    identifier = export_task_identifier(arn)
    assert re.fullmatch(r"snapshot-[0-9a-f]{8}", identifier)


def test_long_names_sharing_a_prefix_get_different_identifiers_within_the_limit() -> None:
    stem = "a-very-long-aurora-cluster-name-for-the-payments-platform-in-production"
    first = cluster_snapshot_arn(f"{stem}-2026-12-03-03-09")
    second = cluster_snapshot_arn(f"{stem}-2026-12-03-03-10")
    assert len(export_task_identifier(first)) == MAX_IDENTIFIER_LENGTH
    assert export_task_identifier(first) != export_task_identifier(second)


def test_cluster_and_instance_snapshots_of_the_same_name_get_different_identifiers() -> None:
    assert export_task_identifier(cluster_snapshot_arn("same")) != export_task_identifier(
        instance_snapshot_arn("same")
    )


def test_snapshot_arn_parts_are_split_with_the_colon_in_the_name_kept() -> None:
    ref = parse_snapshot_arn(cluster_snapshot_arn("rds:orders-2026-12-03-03-09"))
    assert (ref.resource_type, ref.name, ref.is_cluster) == (
        "cluster-snapshot",
        "rds:orders-2026-12-03-03-09",
        True,
    )
    assert snapshot_name_from_arn(instance_snapshot_arn("x")) == "x"
    with pytest.raises(ValueError, match="not an RDS snapshot ARN"):
        parse_snapshot_arn("arn:aws:rds:us-east-1:123456789012:db:orders")


CREATED = datetime(2026, 1, 2, 23, 30, tzinfo=UTC)


def test_default_prefix_uses_the_db_and_the_snapshot_creation_date() -> None:
    assert render_prefix("{db}/{yyyy}/{mm}/{dd}", "orders", "x", CREATED) == "orders/2026/01/02"


def test_prefix_date_is_taken_in_utc() -> None:
    created = CREATED.astimezone(timezone(timedelta(hours=5)))  # 2026-01-03 04:30 at +05:00
    assert render_prefix("{yyyy}-{mm}-{dd}T{hh}", "orders", "x", created) == "2026-01-02T23"


def test_prefix_with_an_automated_snapshot_name_contains_no_colon() -> None:
    prefix = render_prefix("exports/{snapshot}", "orders", "rds:orders-2026-01-02-23-30", CREATED)
    assert prefix == "exports/rds-orders-2026-01-02-23-30"


@given(
    st.text(max_size=30),
    st.text(max_size=30),
    st.sampled_from(["{db}/{snapshot}", "/{db}//{snapshot}/", "{snapshot}", "x/{hh}/{db}"]),
)
def test_rendered_prefix_never_has_a_colon_or_a_leading_slash(
    db: str, snapshot: str, template: str
) -> None:
    prefix = render_prefix(template, db, snapshot, CREATED)
    assert ":" not in prefix
    assert not prefix.startswith("/")


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{db}/{year}", "unknown placeholder"),
        ("{db}:{yyyy}", "':'"),
        ("/{db}", "must not start with '/'"),
        ("{db!r}", "format spec"),
        ("{db", "expected '}'"),
    ],
)
def test_bad_prefix_templates_are_rejected_with_the_rule(template: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        validate_prefix_template(template)


def test_s3_uri_points_at_the_task_folder_under_the_prefix() -> None:
    assert s3_uri("bucket", "orders/2026", "task-1") == "s3://bucket/orders/2026/task-1/"
    assert s3_uri("bucket", "", "task-1") == "s3://bucket/task-1/"
