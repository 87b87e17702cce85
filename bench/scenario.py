"""The burst: many automated snapshots created in one backup window.

A mix of Aurora cluster snapshots (RDS-EVENT-0169) and instance snapshots (RDS-EVENT-0091),
named the way RDS names automated snapshots (``rds:<db>-YYYY-MM-DD-HH-MM``). A fraction of
the events is delivered twice (SNS delivers at least once) and a few are never delivered
(RDS emits events on a best-effort basis). Some databases have long names, as real fleets do,
so that identifiers built from the name alone would pass the 60-character limit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bench.fake_rds import Snapshot

CLUSTER_EVENT = "RDS-EVENT-0169"
INSTANCE_EVENT = "RDS-EVENT-0091"

_TEAMS = ("orders", "billing", "catalog", "search", "identity", "ledger", "payments", "crm")
_ROLES = ("api", "core", "events", "reporting", "jobs", "auth", "inventory", "audit")
_LONG_SUFFIX = "analytics-warehouse-replica-eu-central"


@dataclass(frozen=True)
class Delivery:
    at: datetime
    duplicate: bool = False


@dataclass
class PlannedSnapshot:
    snapshot: Snapshot
    event_id: str
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def lost(self) -> bool:
        return not self.deliveries


@dataclass
class Scenario:
    start: datetime
    window_minutes: float
    export_minutes: float
    snapshots: list[PlannedSnapshot]
    seed: int

    @property
    def count(self) -> int:
        return len(self.snapshots)

    @property
    def duplicated(self) -> int:
        return sum(1 for s in self.snapshots if len(s.deliveries) > 1)

    @property
    def lost(self) -> int:
        return sum(1 for s in self.snapshots if s.lost)


def build(
    snapshots: int = 200,
    *,
    export_minutes: float = 30.0,
    duplicates: float = 0.1,
    lost: int = 3,
    seed: int = 7,
    window_minutes: float = 30.0,
    cluster_share: float = 0.4,
    long_name_share: float = 0.05,
    start: datetime | None = None,
    account_id: str = "123456789012",
    region: str = "us-east-1",
) -> Scenario:
    if snapshots < 1:
        raise ValueError("the burst needs at least one snapshot")
    if not 0 <= duplicates <= 1:
        raise ValueError("the duplicate fraction must be between 0 and 1")
    if not 0 <= lost <= snapshots:
        raise ValueError("cannot lose more events than there are snapshots")
    rng = random.Random(seed)
    start = start or datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    planned: list[PlannedSnapshot] = []
    for index in range(snapshots):
        is_cluster = rng.random() < cluster_share
        name = f"{rng.choice(_TEAMS)}-{rng.choice(_ROLES)}-{index:03d}"
        if rng.random() < long_name_share:
            name = f"{name}-{_LONG_SUFFIX}"
        created = start + timedelta(seconds=rng.uniform(0, window_minutes * 60))
        created = created.replace(microsecond=rng.randrange(1000) * 1000)
        snapshot = Snapshot(
            kind="cluster" if is_cluster else "instance",
            identifier=f"rds:{name}-{created:%Y-%m-%d-%H-%M}",
            db_identifier=name,
            created_at=created,
            account_id=account_id,
            region=region,
            engine=rng.choice(("aurora-postgresql", "aurora-mysql"))
            if is_cluster
            else rng.choice(("postgres", "mysql", "mariadb")),
            allocated_storage=rng.choice((50, 100, 200, 500)),
        )
        # RDS publishes "snapshot created" shortly after the snapshot becomes available.
        published = created + timedelta(seconds=rng.uniform(5, 90))
        planned.append(
            PlannedSnapshot(
                snapshot=snapshot,
                event_id=CLUSTER_EVENT if is_cluster else INSTANCE_EVENT,
                deliveries=[Delivery(published)],
            )
        )
    indices = list(range(snapshots))
    rng.shuffle(indices)
    for index in indices[:lost]:
        planned[index].deliveries.clear()
    remaining = indices[lost:]
    for index in remaining[: round(duplicates * snapshots)]:
        first = planned[index].deliveries[0].at
        planned[index].deliveries.append(
            Delivery(first + timedelta(seconds=rng.uniform(1, 300)), duplicate=True)
        )
    return Scenario(
        start=start,
        window_minutes=window_minutes,
        export_minutes=export_minutes,
        snapshots=planned,
        seed=seed,
    )
