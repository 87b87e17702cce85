"""Run one burst through the export function, or through the original design, and measure it.

Both runs share one scenario and one kind of fake RDS, so the figures differ only by design.
Time advances from one interesting instant to the next (a publish, a message becoming
visible, an export finishing, a scheduled sweep), so a day of simulated time takes seconds.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import math
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from bench import SETTINGS_PATH
from bench.baseline import ASYNC_RETRY_DELAYS_SECONDS, BaselineSettings, baseline_handler
from bench.clock import SimClock
from bench.esm import EventSourceMapping
from bench.fake_rds import ExportTask, FakeRDS
from bench.fake_sns import FakeSNS
from bench.fake_sqs import FakeSQS
from bench.rds_events import publish_params
from bench.scenario import PlannedSnapshot, Scenario

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
NAME_PREFIX = "bench"
FINISHED_EVENT = {"instance": "RDS-EVENT-0161", "cluster": "RDS-EVENT-0164"}
FAILED_EVENT = {"instance": "RDS-EVENT-0159", "cluster": "RDS-EVENT-0162"}


def load_settings() -> dict[str, Any]:
    with SETTINGS_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


@dataclass
class Knobs:
    """What a run may change from the module's defaults (None keeps the default)."""

    backoff_base_seconds: int | None = None
    backoff_max_seconds: int | None = None
    max_wait_hours: float | None = None
    maximum_concurrency: int | None = None
    batch_size: int | None = None
    batching_window_seconds: float | None = None
    jitter: bool = True
    first_sweep_after_minutes: float = 120.0
    sweep_interval_hours: float = 24.0
    horizon_hours: float = 120.0
    invocation_overhead_seconds: float = 0.3
    call_latency_seconds: float = 0.05
    quota_error_code: str | None = None
    listing_lag_seconds: float = 0.0

    def label(self) -> str:
        changed = []
        defaults = Knobs()
        for key, value in asdict(self).items():
            if value != getattr(defaults, key):
                changed.append(f"{key}={value}")
        return ", ".join(changed) or "module defaults"


@dataclass
class Figures:
    """What one run did, in the terms the report compares."""

    design: str
    snapshots: int
    exported: int
    duplicate_task_snapshots: int
    extra_tasks: int
    dead_letter_messages: int
    dropped_events: int
    expired_messages: int
    drain_seconds: float | None
    drain_delivered_seconds: float | None
    floor_seconds: float
    start_attempts: int
    quota_rejections: int
    peak_running: int
    idle_slot_seconds_with_backlog: float
    handler_invocations: int
    records_processed: int
    deferrals: int
    resends_without_deferral: int
    decisions: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    metrics: dict[str, int] = field(default_factory=dict)
    sweeps: list[dict[str, Any]] = field(default_factory=list)
    not_exported: list[str] = field(default_factory=list)
    longest_wait_seconds: float = 0.0
    knobs: str = "module defaults"

    @property
    def drain_ratio(self) -> float | None:
        if self.drain_seconds is None:
            return None
        return self.drain_seconds / self.floor_seconds

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["drain_ratio"] = self.drain_ratio
        return data


class Timeline:
    """Actions due at simulated instants, in time order (ties in the order they were added)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, bool, Callable[[], None]]] = []
        self._order = itertools.count()

    def at(self, when: float, action: Callable[[], None], *, recurring: bool = False) -> None:
        heapq.heappush(self._heap, (when, next(self._order), recurring, action))

    def next_time(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def has_one_shot(self) -> bool:
        return any(not recurring for _, _, recurring, _ in self._heap)

    def run_due(self, now: float) -> None:
        while self._heap and self._heap[0][0] <= now:
            _, _, _, action = heapq.heappop(self._heap)
            action()


def floor_seconds(scenario: Scenario, max_in_progress: int = 5) -> float:
    return math.ceil(scenario.count / max_in_progress) * scenario.export_minutes * 60


def _export_seconds(scenario: Scenario) -> Callable[[Any], float]:
    seconds = scenario.export_minutes * 60
    return lambda _snapshot: seconds


def _idle_slot_seconds(
    known_at: dict[str, float], started_at: dict[str, float], tasks: list[ExportTask], cap: int
) -> float:
    """Export slot-seconds left unused while a known snapshot was waiting to start."""
    changes: list[tuple[float, int, int]] = []  # (time, backlog delta, running delta)
    for arn, known in known_at.items():
        start = started_at.get(arn)
        if start is None or start > known:
            changes.append((known, 1, 0))
            if start is not None:
                changes.append((start, -1, 0))
    for task in tasks:
        changes.append((task.started_at, 0, 1))
        changes.append((task.ended_at if task.ended_at is not None else task.ends_at, 0, -1))
    changes.sort()
    idle = 0.0
    backlog = running = 0
    previous = changes[0][0] if changes else 0.0
    for moment, backlog_delta, running_delta in changes:
        if backlog > 0:
            idle += (moment - previous) * min(backlog, max(0, cap - running))
        backlog += backlog_delta
        running += running_delta
        previous = moment
    return idle


@dataclass(frozen=True)
class _TaskFigures:
    exported: int
    duplicates: int
    extra: int
    drain: float | None
    drain_delivered: float | None
    started: dict[str, float]
    missing: list[str]


def _task_figures(scenario: Scenario, rds: FakeRDS) -> _TaskFigures:
    arns = {planned.snapshot.arn for planned in scenario.snapshots}
    delivered = {p.snapshot.arn for p in scenario.snapshots if not p.lost}
    per_snapshot = rds.tasks_per_snapshot()
    completed: dict[str, float] = {}
    started: dict[str, float] = {}
    for task in rds.tasks.values():
        arn = task.snapshot.arn
        started[arn] = min(started.get(arn, math.inf), task.started_at)
        if task.status == "COMPLETE" and task.ended_at is not None:
            completed[arn] = min(completed.get(arn, math.inf), task.ended_at)
    t0 = min(planned.snapshot.created_at.timestamp() for planned in scenario.snapshots)

    def drain(of: set[str]) -> float | None:
        if not of or not of <= completed.keys():
            return None
        return max(completed[arn] for arn in of) - t0

    return _TaskFigures(
        exported=len(arns & completed.keys()),
        duplicates=sum(1 for arn in arns if per_snapshot[arn] > 1),
        extra=sum(max(0, per_snapshot[arn] - 1) for arn in arns),
        drain=drain(arns),
        drain_delivered=drain(delivered),
        started=started,
        missing=sorted(arns - completed.keys()),
    )


@contextmanager
def _quiet_function_logs() -> Iterator[None]:
    """Keep the function's JSON log lines off the benchmark's output."""
    logger = logging.getLogger("snapshot_export")
    saved = (logger.handlers[:], logger.propagate, logger.level)
    logger.handlers = [logging.NullHandler()]
    logger.propagate = False
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.handlers, logger.propagate, _ = saved
        logger.setLevel(saved[2])


@contextmanager
def _jitter(enabled: bool) -> Iterator[None]:
    """Optionally replace the deferral jitter with its midpoint, to measure what it costs."""
    if enabled:
        yield
        return
    from snapshot_export import backoff  # noqa: PLC0415 - the function's package, on sys.path

    original = backoff.jitter_fraction
    backoff.jitter_fraction = lambda _message_id, _deferrals: 0.5
    try:
        yield
    finally:
        backoff.jitter_fraction = original


def _environment(
    settings: dict[str, Any], queue_url: str, dlq_url: str, topic_arn: str, knobs: Knobs
) -> dict[str, str]:
    """The variables Terraform sets on the function, with the module's default inputs."""
    defaults = settings["defaults"]
    names = {k: v.replace("{prefix}", NAME_PREFIX) for k, v in settings["names"].items()}
    bucket = names["bucket"].format(account_id=ACCOUNT_ID, region=REGION)
    return {
        "S3_BUCKET_NAME": bucket,
        "IAM_ROLE_ARN": f"arn:aws:iam::{ACCOUNT_ID}:role/{names['export_role']}",
        "KMS_ARN": f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/00000000-0000-4000-8000-000000000000",
        "EVENT_IDS": ",".join(defaults["event_ids"]),
        "DB_IDENTIFIERS": "",
        "S3_PREFIX_TEMPLATE": defaults["s3_prefix_template"],
        "EXPORT_ONLY": "[]",
        "MAX_CONCURRENT_EXPORTS": str(defaults["max_concurrent_exports"]),
        "QUEUE_URL": queue_url,
        "DEAD_LETTER_QUEUE_URL": dlq_url,
        "BACKOFF_BASE_SECONDS": str(knobs.backoff_base_seconds or defaults["backoff_base_seconds"]),
        "BACKOFF_MAX_SECONDS": str(knobs.backoff_max_seconds or defaults["backoff_max_seconds"]),
        "MAX_WAIT_HOURS": str(knobs.max_wait_hours or defaults["max_wait_hours"]),
        "NOTIFICATION_TOPIC_ARN": topic_arn,
        "METRICS_NAMESPACE": defaults["metrics_namespace"],
        "EXPORTER_NAME": NAME_PREFIX,
        "SWEEP_LOOKBACK_HOURS": str(defaults["sweep_lookback_hours"]),
        "LOG_LEVEL": "INFO",
    }


class _MetricCounter:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def __call__(self, line: str) -> None:
        document = json.loads(line)
        for directive in document.get("_aws", {}).get("CloudWatchMetrics", []):
            for metric in directive.get("Metrics", []):
                self.counts[metric["Name"]] += int(document.get(metric["Name"], 1))


@dataclass
class _World:
    """The fakes of one run and the resources the module would have created in them."""

    clock: SimClock
    sqs: FakeSQS
    sns: FakeSNS
    rds: FakeRDS
    topic_arn: str
    queue_url: str = ""
    dlq_url: str = ""
    alerts_arn: str = ""


def _names(settings: dict[str, Any]) -> dict[str, str]:
    return {k: v.replace("{prefix}", NAME_PREFIX) for k, v in settings["names"].items()}


def _world(scenario: Scenario, knobs: Knobs, settings: dict[str, Any], *, queue: bool) -> _World:
    names = _names(settings)
    clock = SimClock(scenario.start)
    sqs = FakeSQS(clock, account_id=ACCOUNT_ID, region=REGION, seed=scenario.seed)
    sns = FakeSNS(clock, sqs, account_id=ACCOUNT_ID, region=REGION)
    topic_arn = sns.create_topic({"Name": names["event_topic"]})["TopicArn"]

    def publish_finished(task: ExportTask) -> None:
        # RDS announces the end of every export on the same event topic.
        kind = task.snapshot.kind
        event_id = (FINISHED_EVENT if task.status == "COMPLETE" else FAILED_EVENT)[kind]
        sns.publish(publish_params(topic_arn, event_id, task.snapshot.arn, clock(), REGION))

    rds = FakeRDS(
        clock,
        export_seconds=_export_seconds(scenario),
        account_id=ACCOUNT_ID,
        region=REGION,
        on_task_finished=publish_finished,
    )
    if knobs.quota_error_code:
        rds.quota_error_code = knobs.quota_error_code
    rds.listing_lag_seconds = knobs.listing_lag_seconds
    world = _World(clock, sqs, sns, rds, topic_arn)
    if queue:
        _create_queues(world, settings, names)
    return world


def _create_queues(world: _World, settings: dict[str, Any], names: dict[str, str]) -> None:
    """The queue, dead-letter queue, filtered subscription and alert topic, as settings say."""
    queue_settings = settings["queue"]
    sqs, sns = world.sqs, world.sns
    world.dlq_url = sqs.create_queue(
        {
            "QueueName": names["dead_letter_queue"],
            "Attributes": {
                "MessageRetentionPeriod": str(queue_settings["dead_letter_retention_seconds"])
            },
        }
    )["QueueUrl"]
    world.queue_url = sqs.create_queue(
        {
            "QueueName": names["queue"],
            "Attributes": {
                "VisibilityTimeout": str(queue_settings["visibility_timeout_seconds"]),
                "MessageRetentionPeriod": str(queue_settings["message_retention_seconds"]),
                "RedrivePolicy": json.dumps(
                    {
                        "deadLetterTargetArn": sqs.queue(world.dlq_url).arn,
                        "maxReceiveCount": queue_settings["max_receive_count"],
                    }
                ),
            },
        }
    )["QueueUrl"]
    subscribed = sorted(
        set(settings["defaults"]["event_ids"]) | set(settings["export_finished_events"])
    )
    sns.subscribe(
        {
            "TopicArn": world.topic_arn,
            "Protocol": "sqs",
            "Endpoint": sqs.queue(world.queue_url).arn,
            "Attributes": {"FilterPolicy": json.dumps({"EventID": subscribed})},
        }
    )
    world.alerts_arn = sns.create_topic({"Name": names["notification_topic"]})["TopicArn"]


def _schedule_burst(
    world: _World, scenario: Scenario, timeline: Timeline, known_at: dict[str, float]
) -> None:
    """Each snapshot appears in RDS when it is created; its event follows (or never comes)."""
    for planned in scenario.snapshots:
        timeline.at(planned.snapshot.created_at.timestamp(), _adder(world.rds, planned.snapshot))
        publish = _publisher(world.sns, world.topic_arn, planned, world.clock, known_at)
        for delivery in planned.deliveries:
            timeline.at(delivery.at.timestamp(), publish)


class _Recorder:
    """Calls the real process_batch and keeps the tally of its decisions."""

    def __init__(self, runtime: Any) -> None:
        from snapshot_export.handler import process_batch  # noqa: PLC0415 - the function

        self._process_batch = process_batch
        self.runtime = runtime
        self.decisions: Counter[str] = Counter()
        self.resends = 0

    def __call__(self, event: dict[str, Any]) -> Any:
        result = self._process_batch(event, self.runtime)
        for outcome in result.outcomes:
            decision = str(outcome.decision)
            self.decisions[decision] += 1
            if decision == "deferred" and (outcome.reason or "").startswith("not before"):
                self.resends += 1
        return result

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        return self(event).response()


def run_ours(scenario: Scenario, knobs: Knobs | None = None) -> Figures:
    """The burst through SNS -> SQS -> event source mapping -> the real process_batch."""
    from snapshot_export.config import Config  # noqa: PLC0415 - the function's package
    from snapshot_export.runtime import Runtime  # noqa: PLC0415

    knobs = knobs or Knobs()
    settings = load_settings()
    world = _world(scenario, knobs, settings, queue=True)
    clock, sqs, sns, rds = world.clock, world.sqs, world.sns, world.rds

    metric_counter = _MetricCounter()
    env = _environment(settings, world.queue_url, world.dlq_url, world.alerts_arn, knobs)
    runtime = Runtime(
        config=Config.from_env(env),
        rds=rds.client(),
        sqs=sqs.client(),
        sns=sns.client(),
        clock=clock,
        metrics_sink=metric_counter,
    )
    recorder = _Recorder(runtime)
    queue_settings = settings["queue"]
    esm = EventSourceMapping(
        sqs=sqs,
        queue_url=world.queue_url,
        invoke=recorder.invoke,
        batch_size=knobs.batch_size or queue_settings["batch_size"],
        batching_window_seconds=(
            queue_settings["maximum_batching_window_seconds"]
            if knobs.batching_window_seconds is None
            else knobs.batching_window_seconds
        ),
        maximum_concurrency=knobs.maximum_concurrency or queue_settings["maximum_concurrency"],
        invocation_overhead_seconds=knobs.invocation_overhead_seconds,
        call_latency_seconds=knobs.call_latency_seconds,
        count_calls=lambda: (
            sum(rds.calls.values()) + sum(sqs.calls.values()) + sum(sns.calls.values())
        ),
    )

    timeline = Timeline()
    known_at: dict[str, float] = {}
    _schedule_burst(world, scenario, timeline, known_at)
    sweeps: list[dict[str, Any]] = []

    def sweep() -> None:
        # EventBridge Scheduler invokes the function directly with this event.
        summary = recorder({"action": "sweep"}).sweep or {}
        sweeps.append({"at": clock().isoformat(), **_sweep_brief(summary)})
        for arn in summary.get("queued_snapshot_arns", []):
            known_at.setdefault(arn, clock.epoch)
        timeline.at(clock.epoch + knobs.sweep_interval_hours * 3600, sweep, recurring=True)

    timeline.at(
        scenario.start.timestamp() + knobs.first_sweep_after_minutes * 60, sweep, recurring=True
    )
    arns = {planned.snapshot.arn for planned in scenario.snapshots}

    def finished() -> bool:
        if timeline.has_one_shot() or sqs.depth(world.queue_url) or rds.running() or esm.buffer:
            return False
        return arns <= {t.snapshot.arn for t in rds.tasks.values() if t.status == "COMPLETE"}

    with _quiet_function_logs(), _jitter(knobs.jitter):
        _drive(
            clock,
            timeline,
            rds,
            esm=esm,
            horizon=scenario.start.timestamp() + knobs.horizon_hours * 3600,
            finished=finished,
        )

    tasks = _task_figures(scenario, rds)
    dlq = sqs.queue(world.dlq_url)
    main = sqs.queue(world.queue_url)
    return Figures(
        design="this module",
        snapshots=scenario.count,
        exported=tasks.exported,
        duplicate_task_snapshots=tasks.duplicates,
        extra_tasks=tasks.extra,
        dead_letter_messages=len(dlq.messages),
        dropped_events=0,
        expired_messages=main.expired + dlq.expired,
        drain_seconds=tasks.drain,
        drain_delivered_seconds=tasks.drain_delivered,
        floor_seconds=floor_seconds(scenario),
        start_attempts=len(rds.attempts),
        quota_rejections=sum(1 for a in rds.attempts if a.outcome == rds.quota_error_code),
        peak_running=rds.peak_running,
        idle_slot_seconds_with_backlog=_idle_slot_seconds(
            known_at, tasks.started, list(rds.tasks.values()), rds.max_in_progress
        ),
        handler_invocations=esm.invocations + len(sweeps),
        records_processed=esm.records_delivered,
        deferrals=metric_counter.counts["ExportsDeferred"],
        resends_without_deferral=recorder.resends,
        decisions=dict(recorder.decisions),
        errors=dict(Counter(a.outcome for a in rds.attempts if a.outcome != "started")),
        metrics=dict(metric_counter.counts),
        sweeps=sweeps,
        not_exported=tasks.missing,
        longest_wait_seconds=_longest_wait(known_at, tasks.started),
        knobs=knobs.label(),
    )


def run_baseline(scenario: Scenario, knobs: Knobs | None = None) -> Figures:
    """The same burst through SNS -> asynchronous Lambda invocation -> the original handler."""
    knobs = knobs or Knobs()
    settings = load_settings()
    world = _world(scenario, knobs, settings, queue=False)
    clock, rds = world.clock, world.rds
    client = rds.client()
    env = _environment(settings, "", "", "", knobs)
    baseline_settings = BaselineSettings(
        bucket=env["S3_BUCKET_NAME"], role_arn=env["IAM_ROLE_ARN"], kms_key_arn=env["KMS_ARN"]
    )
    timeline = Timeline()
    invocations = 0
    errors: Counter[str] = Counter()
    dropped = 0

    def attempt(event: dict[str, Any], delays: tuple[float, ...]) -> None:
        nonlocal dropped, invocations
        invocations += 1
        try:
            baseline_handler(event, client, baseline_settings, clock)
        except Exception as error:
            code = getattr(error, "response", {}).get("Error", {}).get("Code")
            errors[code or type(error).__name__] += 1
            if not delays:
                dropped += 1
                return
            timeline.at(clock.epoch + delays[0], lambda: attempt(event, delays[1:]))

    def on_notification(record: dict[str, Any]) -> None:
        event = {"Records": [record]}
        timeline.at(clock.epoch, lambda: attempt(event, ASYNC_RETRY_DELAYS_SECONDS))

    # The original filtered on the snapshot-created event; the same IDs as ours, to be fair.
    world.sns.subscribe_callback(
        world.topic_arn, on_notification, {"EventID": list(settings["defaults"]["event_ids"])}
    )
    known_at: dict[str, float] = {}
    _schedule_burst(world, scenario, timeline, known_at)
    _drive(
        clock,
        timeline,
        rds,
        esm=None,
        horizon=scenario.start.timestamp() + knobs.horizon_hours * 3600,
        finished=lambda: not timeline.has_one_shot() and not rds.running(),
    )
    tasks = _task_figures(scenario, rds)
    return Figures(
        design="original design",
        snapshots=scenario.count,
        exported=tasks.exported,
        duplicate_task_snapshots=tasks.duplicates,
        extra_tasks=tasks.extra,
        dead_letter_messages=0,
        dropped_events=dropped,
        expired_messages=0,
        drain_seconds=tasks.drain,
        drain_delivered_seconds=tasks.drain_delivered,
        floor_seconds=floor_seconds(scenario),
        start_attempts=len(rds.attempts),
        quota_rejections=sum(1 for a in rds.attempts if a.outcome == rds.quota_error_code),
        peak_running=rds.peak_running,
        idle_slot_seconds_with_backlog=_idle_slot_seconds(
            known_at, tasks.started, list(rds.tasks.values()), rds.max_in_progress
        ),
        handler_invocations=invocations,
        records_processed=invocations,
        deferrals=0,
        resends_without_deferral=0,
        errors=dict(errors),
        not_exported=tasks.missing,
        longest_wait_seconds=_longest_wait(known_at, tasks.started),
        knobs=knobs.label(),
    )


def _drive(
    clock: SimClock,
    timeline: Timeline,
    rds: FakeRDS,
    *,
    esm: EventSourceMapping | None,
    horizon: float,
    finished: Callable[[], bool],
) -> None:
    stalls = 0
    while True:
        now = clock.epoch
        candidates = [timeline.next_time(), rds.next_transition_at()]
        if esm is not None:
            candidates.append(esm.next_wake(now))
        upcoming = [c for c in candidates if c is not None]
        if not upcoming:
            return
        moment = max(min(upcoming), now)
        if moment > horizon:
            return
        stalls = stalls + 1 if moment == now else 0
        if stalls > 10_000:
            raise RuntimeError(f"the simulation is not advancing at {clock()}")
        clock.advance_to(moment)
        rds.advance()
        timeline.run_due(moment)
        if esm is not None:
            esm.step(moment)
        if finished():
            return


def _adder(rds: FakeRDS, snapshot: Any) -> Callable[[], None]:
    return lambda: rds.add_snapshot(snapshot)


def _publisher(
    sns: FakeSNS,
    topic_arn: str,
    planned: PlannedSnapshot,
    clock: SimClock,
    known_at: dict[str, float],
) -> Callable[[], None]:
    """Publish the event once; a duplicate delivery re-delivers that same notification."""
    sent: list[dict[str, Any]] = []

    def publish() -> None:
        known_at.setdefault(planned.snapshot.arn, clock.epoch)
        if sent:
            sns.deliver_again(topic_arn, sent[0])
            return
        params = publish_params(topic_arn, planned.event_id, planned.snapshot.arn, clock(), REGION)
        sns.publish(params)
        sent.append(sns.topics[topic_arn].published[-1])

    return publish


def _sweep_brief(summary: dict[str, Any]) -> dict[str, Any]:
    keys = ("examined", "already_exported", "queued", "filtered_out", "not_available")
    return {key: summary.get(key) for key in keys if key in summary}


def _longest_wait(known_at: dict[str, float], started: dict[str, float]) -> float:
    waits = [started[arn] - known for arn, known in known_at.items() if arn in started]
    return max(waits, default=0.0)
