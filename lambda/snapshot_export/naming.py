"""Export task identifiers and S3 prefixes derived from a snapshot."""

from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass
from datetime import UTC, datetime

# StartExportTask rejects identifiers that do not start with a letter, contain anything but
# letters, digits and hyphens, contain "--" or end with "-" (InvalidParameterValue). The API
# reference gives no length, but the service refuses identifiers longer than 60 characters.
MAX_IDENTIFIER_LENGTH = 60
HASH_LENGTH = 8
_BODY_LENGTH = MAX_IDENTIFIER_LENGTH - HASH_LENGTH - 1
_FALLBACK_BODY = "snapshot"

# Automated and AWS Backup snapshot names carry a prefix ending in ":"; the colon is not
# allowed in an identifier and the prefix carries no information the hash does not.
_NAME_PREFIXES = ("rds:", "awsbackup:")

_SNAPSHOT_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):rds:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<resource_type>cluster-snapshot|snapshot):(?P<name>.+)$"
)
_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")

PREFIX_PLACEHOLDERS = frozenset({"db", "snapshot", "yyyy", "mm", "dd", "hh"})


@dataclass(frozen=True)
class SnapshotArn:
    """The parts of an RDS snapshot ARN that decide which API describes it."""

    arn: str
    partition: str
    region: str
    account: str
    resource_type: str
    name: str

    @property
    def is_cluster(self) -> bool:
        return self.resource_type == "cluster-snapshot"

    @property
    def source_type(self) -> str:
        """The RDS event source type for this kind of snapshot."""
        return "db-cluster-snapshot" if self.is_cluster else "db-snapshot"


def parse_snapshot_arn(arn: str) -> SnapshotArn:
    """Split a DB or DB cluster snapshot ARN; raise ValueError for anything else."""
    match = _SNAPSHOT_ARN.match(arn.strip()) if isinstance(arn, str) else None
    if match is None:
        raise ValueError(f"not an RDS snapshot ARN: {arn!r}")
    return SnapshotArn(arn=arn.strip(), **match.groupdict())


def is_snapshot_arn(arn: object) -> bool:
    return isinstance(arn, str) and _SNAPSHOT_ARN.match(arn.strip()) is not None


def snapshot_name_from_arn(arn: str) -> str:
    """The snapshot identifier as RDS stores it, for example "rds:orders-2026-12-03-03-09"."""
    return parse_snapshot_arn(arn).name


def export_task_identifier(snapshot_arn: str) -> str:
    """A valid, deterministic export task identifier for one snapshot.

    Readable part from the snapshot name, then eight hex digits of the SHA-256 of the full ARN,
    so that two snapshots whose names differ only in characters the identifier cannot hold, or
    whose names are cut at the same length, still get different identifiers. Reusing the same
    identifier for the same snapshot is what makes a retried start answer ExportTaskAlreadyExists
    instead of starting a second export.
    """
    digest = hashlib.sha256(snapshot_arn.encode("utf-8")).hexdigest()[:HASH_LENGTH]
    try:
        name = parse_snapshot_arn(snapshot_arn).name
    except ValueError:
        name = snapshot_arn.rsplit(":", 1)[-1]
    lowered = name.lower()
    for prefix in _NAME_PREFIXES:
        if lowered.startswith(prefix):
            lowered = lowered[len(prefix) :]
            break
    body = _NOT_ALLOWED.sub("-", lowered).strip("-")
    if not body:
        body = _FALLBACK_BODY
    elif not body[0].isalpha():
        body = f"{_FALLBACK_BODY}-{body}"
    body = body[:_BODY_LENGTH].rstrip("-")
    return f"{body}-{digest}"


def prefix_template_fields(template: str) -> set[str]:
    """Placeholder names used in a prefix template; raise ValueError on bad syntax."""
    fields: set[str] = set()
    for _literal, field, spec, conversion in string.Formatter().parse(template):
        if field is None:
            continue
        if spec or conversion:
            raise ValueError(f"placeholder {{{field}}} must not carry a format spec or conversion")
        fields.add(field)
    return fields


def validate_prefix_template(template: str) -> None:
    """Raise ValueError unless the template renders to a prefix S3 exports accept."""
    fields = prefix_template_fields(template)
    unknown = fields - PREFIX_PLACEHOLDERS
    if unknown:
        allowed = ", ".join(sorted(f"{{{name}}}" for name in PREFIX_PLACEHOLDERS))
        raise ValueError(f"unknown placeholder(s) {sorted(unknown)}; allowed: {allowed}")
    sample = _render(template, "db", "snapshot", datetime(2024, 1, 2, 3, tzinfo=UTC))
    if ":" in sample:
        raise ValueError("the rendered prefix contains ':', which S3 exports do not support")
    if template.startswith("/"):
        raise ValueError("the prefix must not start with '/'")


def render_prefix(template: str, db_identifier: str, snapshot_name: str, created: datetime) -> str:
    """Render the S3 prefix for one export.

    The date parts come from the snapshot's own creation time (in UTC), not from the clock, so a
    retried or swept export lands where the first attempt would have put it.
    """
    prefix = _render(template, _safe(db_identifier), _safe(snapshot_name), created)
    # S3 exports do not support ":" in the prefix, and a leading "/" would create an empty
    # top-level key segment.
    prefix = re.sub(r"/{2,}", "/", prefix.replace(":", "-")).strip("/")
    return prefix


def s3_uri(bucket: str, prefix: str, export_task_id: str) -> str:
    """Where RDS writes an export: <prefix>/<export task identifier>/ in the bucket."""
    path = "/".join(part for part in (prefix, export_task_id) if part)
    return f"s3://{bucket}/{path}/"


def as_utc(moment: datetime) -> datetime:
    """The moment in UTC; botocore returns aware times, and a naive one is taken as UTC."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _render(template: str, db: str, snapshot: str, created: datetime) -> str:
    moment = as_utc(created)
    return template.format(
        db=db,
        snapshot=snapshot,
        yyyy=f"{moment.year:04d}",
        mm=f"{moment.month:02d}",
        dd=f"{moment.day:02d}",
        hh=f"{moment.hour:02d}",
    )


def _safe(value: str) -> str:
    return re.sub(r"[:/]+", "-", value).strip("-") or "unknown"
