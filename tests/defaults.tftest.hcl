# What a plan with only name_prefix set creates, and how the pieces are wired.

mock_provider "aws" {
  source = "./tests/mocks/aws"
}

mock_provider "archive" {}

variables {
  name_prefix = "acme"
}

run "defaults_equal_settings_json" {
  command = plan

  # Variable defaults cannot read files, so they are literals kept equal to
  # the values the function falls back to.
  assert {
    condition     = var.event_ids == tolist(jsondecode(file("lambda/snapshot_export/settings.json")).defaults.event_ids)
    error_message = "event_ids default differs from settings.json defaults.event_ids."
  }

  assert {
    condition     = var.s3_prefix_template == jsondecode(file("lambda/snapshot_export/settings.json")).defaults.s3_prefix_template
    error_message = "s3_prefix_template default differs from settings.json defaults.s3_prefix_template."
  }

  assert {
    condition     = var.max_concurrent_exports == jsondecode(file("lambda/snapshot_export/settings.json")).defaults.max_concurrent_exports
    error_message = "max_concurrent_exports default differs from settings.json defaults.max_concurrent_exports."
  }

  assert {
    condition     = var.backoff_base_seconds == jsondecode(file("lambda/snapshot_export/settings.json")).defaults.backoff_base_seconds
    error_message = "backoff_base_seconds default differs from settings.json defaults.backoff_base_seconds."
  }

  assert {
    condition     = var.backoff_max_seconds == jsondecode(file("lambda/snapshot_export/settings.json")).defaults.backoff_max_seconds
    error_message = "backoff_max_seconds default differs from settings.json defaults.backoff_max_seconds."
  }

  assert {
    condition     = var.max_wait_hours == jsondecode(file("lambda/snapshot_export/settings.json")).defaults.max_wait_hours
    error_message = "max_wait_hours default differs from settings.json defaults.max_wait_hours."
  }

  assert {
    condition     = var.sweep_lookback_hours == jsondecode(file("lambda/snapshot_export/settings.json")).defaults.sweep_lookback_hours
    error_message = "sweep_lookback_hours default differs from settings.json defaults.sweep_lookback_hours."
  }

  assert {
    condition     = var.notify_on_completed_exports == jsondecode(file("lambda/snapshot_export/settings.json")).defaults.notify_on_success
    error_message = "notify_on_completed_exports default differs from settings.json defaults.notify_on_success."
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["NOTIFY_ON_SUCCESS"] == "false"
    error_message = "Completed exports must not be announced on the notification topic unless asked for."
  }

  assert {
    condition     = var.log_level == jsondecode(file("lambda/snapshot_export/settings.json")).defaults.log_level
    error_message = "log_level default differs from settings.json defaults.log_level."
  }

  assert {
    condition     = var.reserved_concurrent_executions == null
    error_message = "reserved_concurrent_executions must default to unreserved."
  }
}

run "names_come_from_settings_json" {
  command = plan

  assert {
    condition     = aws_s3_bucket.this[0].bucket == "acme-exports-123456789012-eu-west-1"
    error_message = "Bucket name must be settings.json names.bucket with prefix, account and region filled in."
  }

  assert {
    condition     = aws_lambda_function.this.function_name == "acme-snapshot-export"
    error_message = "Function name must be settings.json names.function with the prefix filled in."
  }

  assert {
    condition     = aws_kms_alias.this[0].name == "alias/acme-snapshot-export"
    error_message = "Key alias must be settings.json names.key_alias."
  }

  assert {
    condition     = aws_sqs_queue.this.name == "acme-snapshot-export" && aws_sqs_queue.dead_letter.name == "acme-snapshot-export-dlq"
    error_message = "Queue names must be settings.json names.queue and names.dead_letter_queue."
  }

  assert {
    condition     = aws_sns_topic.events.name == "acme-snapshot-events" && aws_sns_topic.notifications[0].name == "acme-snapshot-export-alerts"
    error_message = "Topic names must be settings.json names.event_topic and names.notification_topic."
  }

  assert {
    condition     = aws_iam_role.export.name == "acme-snapshot-export-rds" && aws_iam_role.function.name == "acme-snapshot-export-function" && aws_iam_role.scheduler[0].name == "acme-snapshot-export-scheduler"
    error_message = "Role names must be settings.json names.export_role, names.function_role and names.scheduler_role."
  }
}

run "created_bucket_is_private_encrypted_and_versioned" {
  command = plan

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this[0].block_public_acls,
      aws_s3_bucket_public_access_block.this[0].block_public_policy,
      aws_s3_bucket_public_access_block.this[0].ignore_public_acls,
      aws_s3_bucket_public_access_block.this[0].restrict_public_buckets,
    ])
    error_message = "The created bucket must block every kind of public access."
  }

  assert {
    condition     = one(aws_s3_bucket_ownership_controls.this[0].rule).object_ownership == "BucketOwnerEnforced"
    error_message = "The created bucket must disable ACLs (BucketOwnerEnforced)."
  }

  assert {
    condition     = one(aws_s3_bucket_versioning.this[0].versioning_configuration).status == "Enabled"
    error_message = "The created bucket must be versioned."
  }

  assert {
    condition = anytrue([
      for rule in aws_s3_bucket_server_side_encryption_configuration.this[0].rule :
      rule.bucket_key_enabled && one(rule.apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    ])
    error_message = "The created bucket must default to SSE-KMS with a bucket key."
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.bucket[0].statement :
      statement.effect == "Deny" && anytrue([
        for condition in statement.condition : condition.variable == "aws:SecureTransport" && condition.values == tolist(["false"])
      ])
    ])
    error_message = "The bucket policy must deny requests without TLS."
  }
}

run "created_bucket_lifecycle_has_sensible_defaults" {
  command = plan

  assert {
    condition     = [for t in one(aws_s3_bucket_lifecycle_configuration.this[0].rule).transition : t.storage_class] == ["STANDARD_IA", "GLACIER_IR"]
    error_message = "The default lifecycle must move exports to STANDARD_IA and then GLACIER_IR."
  }

  assert {
    condition     = length(one(aws_s3_bucket_lifecycle_configuration.this[0].rule).expiration) == 0
    error_message = "The default lifecycle must keep exports (no expiration)."
  }

  assert {
    condition     = one(one(aws_s3_bucket_lifecycle_configuration.this[0].rule).abort_incomplete_multipart_upload).days_after_initiation == 7
    error_message = "The default lifecycle must abort incomplete multipart uploads after 7 days."
  }
}

run "key_has_rotation_and_names_each_service_principal" {
  command = plan

  assert {
    condition     = aws_kms_key.this[0].enable_key_rotation && aws_kms_key.this[0].customer_master_key_spec == "SYMMETRIC_DEFAULT"
    error_message = "The created key must be symmetric with rotation on; RDS exports accept only symmetric keys."
  }

  assert {
    condition = alltrue([
      for service in ["events.rds.amazonaws.com", "sns.amazonaws.com", "cloudwatch.amazonaws.com"] :
      anytrue([
        for statement in data.aws_iam_policy_document.kms_key.statement :
        anytrue([for principal in statement.principals : principal.type == "Service" && contains(principal.identifiers, service)])
      ])
    ])
    error_message = "The key policy must name events.rds, sns and cloudwatch service principals."
  }

  assert {
    condition = alltrue([
      for statement in data.aws_iam_policy_document.kms_key.statement :
      !anytrue([for condition in statement.condition : condition.variable == "aws:SourceAccount"])
      if anytrue([for principal in statement.principals : principal.type == "Service"])
    ])
    error_message = "The key policy's service statements must carry no aws:SourceAccount condition, as in AWS's documented statements: if KMS does not receive it, RDS events, SNS deliveries and alarm notifications all fail. The topic and queue policies decide who may publish."
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.kms_key.statement :
      statement.actions == toset(["kms:*"]) && anytrue([
        for principal in statement.principals : contains(principal.identifiers, "arn:aws:iam::123456789012:root")
      ])
    ])
    error_message = "The key policy must keep the account root as administrator."
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.kms_key.statement :
      statement.actions == toset(["kms:CreateGrant"]) && anytrue([
        for condition in statement.condition : condition.variable == "kms:GrantIsForAWSResource" && condition.values == tolist(["true"])
      ])
    ])
    error_message = "The key policy must let the function create grants only for AWS resources."
  }
}

run "encrypted_topics_and_queues_use_the_key" {
  command = apply

  assert {
    condition = alltrue([
      aws_sns_topic.events.kms_master_key_id == aws_kms_key.this[0].arn,
      aws_sns_topic.notifications[0].kms_master_key_id == aws_kms_key.this[0].arn,
      aws_sqs_queue.this.kms_master_key_id == aws_kms_key.this[0].arn,
      aws_sqs_queue.dead_letter.kms_master_key_id == aws_kms_key.this[0].arn,
      aws_lambda_function.this.kms_key_arn == aws_kms_key.this[0].arn,
    ])
    error_message = "Topics, queues and the function environment must be encrypted with the module's key."
  }
}

run "topic_and_queue_policies_decide_who_may_publish" {
  command = apply

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.event_topic.statement :
      statement.actions == toset(["sns:Publish"]) &&
      anytrue([for principal in statement.principals : principal.type == "Service" && contains(principal.identifiers, "events.rds.amazonaws.com")]) &&
      anytrue([for condition in statement.condition : condition.test == "StringEquals" && condition.variable == "aws:SourceAccount" && condition.values == tolist(["123456789012"])])
    ])
    error_message = "The event topic policy must let events.rds.amazonaws.com publish only for this account (aws:SourceAccount); the key policy does not limit it."
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.notification_topic[0].statement :
      statement.actions == toset(["sns:Publish"]) &&
      anytrue([for principal in statement.principals : principal.type == "Service" && contains(principal.identifiers, "cloudwatch.amazonaws.com")]) &&
      anytrue([for condition in statement.condition : condition.test == "StringEquals" && condition.variable == "aws:SourceAccount" && condition.values == tolist(["123456789012"])])
    ])
    error_message = "The notification topic policy must let cloudwatch.amazonaws.com publish only for this account (aws:SourceAccount); the key policy does not limit it."
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.queue.statement :
      statement.actions == toset(["sqs:SendMessage"]) &&
      anytrue([for principal in statement.principals : principal.type == "Service" && contains(principal.identifiers, "sns.amazonaws.com")]) &&
      anytrue([for condition in statement.condition : condition.test == "ArnEquals" && condition.variable == "aws:SourceArn" && condition.values == tolist([aws_sns_topic.events.arn])])
    ])
    error_message = "The queue policy must let sns.amazonaws.com send only from the event topic (aws:SourceArn); the key policy does not limit it."
  }
}

run "queue_subscription_filter_is_built_from_event_ids" {
  command = plan

  variables {
    event_ids = ["RDS-EVENT-0075", "RDS-EVENT-0042"]
  }

  assert {
    condition = tolist(jsondecode(aws_sns_topic_subscription.queue.filter_policy).EventID) == sort(concat(
      ["RDS-EVENT-0075", "RDS-EVENT-0042"],
      keys(jsondecode(file("lambda/snapshot_export/settings.json")).export_finished_events),
    ))
    error_message = "The filter policy must let through the selected event IDs and, with tracking on, every export finished ID."
  }

  assert {
    condition     = aws_sns_topic_subscription.queue.protocol == "sqs" && !aws_sns_topic_subscription.queue.raw_message_delivery
    error_message = "The queue subscription must deliver the SNS envelope (no raw delivery); the function reads EventID from it."
  }

  assert {
    condition     = aws_sns_topic_subscription.queue.filter_policy_scope == "MessageAttributes"
    error_message = "The filter policy must match message attributes, where RDS puts EventID."
  }
}

run "event_subscription_categories_come_from_the_catalog" {
  command = plan

  assert {
    condition     = aws_db_event_subscription.this["cluster"].source_type == "db-cluster-snapshot" && aws_db_event_subscription.this["cluster"].event_categories == toset(["backup", "notification"])
    error_message = "Cluster snapshots need backup (created) and notification (export finished) categories."
  }

  assert {
    condition     = aws_db_event_subscription.this["instance"].source_type == "db-snapshot" && aws_db_event_subscription.this["instance"].event_categories == toset(["creation", "notification"])
    error_message = "Instance snapshots need creation (created) and notification (export finished) categories."
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.event_topic.statement :
      anytrue([for principal in statement.principals : contains(principal.identifiers, "events.rds.amazonaws.com")]) &&
      anytrue([for condition in statement.condition : condition.variable == "aws:SourceAccount"])
    ])
    error_message = "The event topic policy must let events.rds.amazonaws.com publish, limited by aws:SourceAccount."
  }
}

run "function_role_is_least_privilege" {
  command = plan

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.function.statement :
      statement.actions == toset(["iam:PassRole"]) && anytrue([
        for condition in statement.condition :
        condition.test == "StringEquals" && condition.variable == "iam:PassedToService" && condition.values == tolist(["export.rds.amazonaws.com"])
      ])
    ])
    error_message = "iam:PassRole must carry iam:PassedToService = export.rds.amazonaws.com."
  }

  assert {
    condition = alltrue([
      for statement in data.aws_iam_policy_document.function.statement :
      alltrue([for action in statement.actions : contains(["rds:DescribeExportTasks", "xray:PutTraceSegments", "xray:PutTelemetryRecords"], action)])
      if contains(statement.resources, "*")
    ])
    error_message = "Only actions without resource-level permissions (rds:DescribeExportTasks, X-Ray) may be granted on \"*\"."
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.function.statement :
      statement.actions == toset(["rds:StartExportTask"]) && statement.resources == toset([
        "arn:aws:rds:eu-west-1:123456789012:snapshot:*",
        "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:*",
      ])
    ])
    error_message = "rds:StartExportTask must be scoped to this account and region's snapshots and cluster snapshots."
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.function.statement :
      statement.actions == toset(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]) &&
      statement.resources == toset([aws_sqs_queue.this.arn])
    ])
    error_message = "The function role may consume the queue with exactly what the SQS event source mapping needs: ReceiveMessage, DeleteMessage, GetQueueAttributes."
  }

  assert {
    condition = !anytrue([
      for statement in data.aws_iam_policy_document.function.statement : contains(statement.actions, "sqs:ChangeMessageVisibility")
    ])
    error_message = "The function role must not get sqs:ChangeMessageVisibility: neither the function nor the event source mapping calls it."
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.function.statement :
      contains(statement.actions, "kms:Decrypt") && anytrue([
        for condition in statement.condition : condition.variable == "kms:ViaService" && contains(condition.values, "sqs.eu-west-1.amazonaws.com")
      ])
    ])
    error_message = "The function's kms:Decrypt must be limited with kms:ViaService."
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.export_assume.statement :
      anytrue([for principal in statement.principals : contains(principal.identifiers, "export.rds.amazonaws.com")]) &&
      anytrue([for condition in statement.condition : condition.variable == "aws:SourceAccount" && condition.values == tolist(["123456789012"])])
    ])
    error_message = "The export role must trust only export.rds.amazonaws.com from this account."
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.export.statement :
      statement.resources == toset(["arn:aws:s3:::acme-exports-123456789012-eu-west-1/*"]) &&
      statement.actions == toset(["s3:PutObject*", "s3:GetObject*", "s3:DeleteObject*"])
    ])
    error_message = "The export role's object rights must be limited to the bucket's objects."
  }
}

run "function_is_configured_as_documented" {
  command = plan

  assert {
    condition = (
      aws_lambda_function.this.runtime == "python3.13" &&
      aws_lambda_function.this.architectures == tolist(["arm64"]) &&
      aws_lambda_function.this.handler == "snapshot_export.handler.handler"
    )
    error_message = "The function must run snapshot_export.handler.handler on python3.13, arm64."
  }

  assert {
    condition     = one(aws_lambda_function.this.logging_config).log_format == "JSON"
    error_message = "The function must log in Lambda's JSON format."
  }

  assert {
    condition     = one(aws_lambda_function.this.logging_config).application_log_level == "INFO"
    error_message = "Lambda's application log level must be INFO by default so the function's metric lines, which Lambda treats as INFO, are kept."
  }

  assert {
    condition     = one(aws_lambda_function.this.tracing_config).mode == "Active"
    error_message = "X-Ray tracing must be on by default."
  }

  assert {
    condition     = aws_cloudwatch_log_group.function.name == "/aws/lambda/acme-snapshot-export" && aws_cloudwatch_log_group.function.retention_in_days == 365
    error_message = "The function's log group must be the one Lambda writes to, with a retention."
  }

  assert {
    condition = keys(one(aws_lambda_function.this.environment).variables) == sort([
      "S3_BUCKET_NAME", "IAM_ROLE_ARN", "KMS_ARN", "EVENT_IDS", "DB_IDENTIFIERS", "S3_PREFIX_TEMPLATE",
      "EXPORT_ONLY", "MAX_CONCURRENT_EXPORTS", "QUEUE_URL", "DEAD_LETTER_QUEUE_URL", "BACKOFF_BASE_SECONDS",
      "BACKOFF_MAX_SECONDS", "MAX_WAIT_HOURS", "NOTIFICATION_TOPIC_ARN", "METRICS_NAMESPACE", "EXPORTER_NAME",
      "SWEEP_LOOKBACK_HOURS", "LOG_LEVEL", "NOTIFY_ON_SUCCESS",
    ])
    error_message = "The function environment must set every variable the function reads, and nothing else."
  }

  assert {
    condition = (
      one(aws_lambda_function.this.environment).variables["EVENT_IDS"] == "RDS-EVENT-0169,RDS-EVENT-0091" &&
      one(aws_lambda_function.this.environment).variables["EXPORT_ONLY"] == "[]" &&
      one(aws_lambda_function.this.environment).variables["DB_IDENTIFIERS"] == "" &&
      one(aws_lambda_function.this.environment).variables["S3_BUCKET_NAME"] == "acme-exports-123456789012-eu-west-1" &&
      one(aws_lambda_function.this.environment).variables["EXPORTER_NAME"] == "acme" &&
      one(aws_lambda_function.this.environment).variables["METRICS_NAMESPACE"] == jsondecode(file("lambda/snapshot_export/settings.json")).defaults.metrics_namespace
    )
    error_message = "The function environment values must follow the inputs and settings.json."
  }
}

run "queue_and_mapping_follow_settings_json" {
  command = apply

  assert {
    condition = (
      aws_sqs_queue.this.visibility_timeout_seconds == jsondecode(file("lambda/snapshot_export/settings.json")).queue.visibility_timeout_seconds &&
      aws_sqs_queue.this.message_retention_seconds == jsondecode(file("lambda/snapshot_export/settings.json")).queue.message_retention_seconds &&
      aws_sqs_queue.dead_letter.message_retention_seconds == jsondecode(file("lambda/snapshot_export/settings.json")).queue.dead_letter_retention_seconds
    )
    error_message = "Queue visibility and retention must come from settings.json queue."
  }

  assert {
    condition = jsondecode(aws_sqs_queue.this.redrive_policy) == {
      deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
      maxReceiveCount     = jsondecode(file("lambda/snapshot_export/settings.json")).queue.max_receive_count
    }
    error_message = "The queue must redrive to the dead-letter queue after settings.json queue.max_receive_count receives."
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.queue.batch_size == jsondecode(file("lambda/snapshot_export/settings.json")).queue.batch_size &&
      aws_lambda_event_source_mapping.queue.maximum_batching_window_in_seconds == jsondecode(file("lambda/snapshot_export/settings.json")).queue.maximum_batching_window_seconds &&
      one(aws_lambda_event_source_mapping.queue.scaling_config).maximum_concurrency == jsondecode(file("lambda/snapshot_export/settings.json")).queue.maximum_concurrency
    )
    error_message = "Batch size, batching window and maximum concurrency must come from settings.json queue."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.queue.function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "The mapping must let the function report partial batch failures."
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.queue.statement :
      anytrue([for principal in statement.principals : contains(principal.identifiers, "sns.amazonaws.com")]) &&
      anytrue([for condition in statement.condition : condition.variable == "aws:SourceArn" && condition.values == tolist([aws_sns_topic.events.arn])])
    ])
    error_message = "The queue policy must let only the event topic send."
  }
}

run "sweep_schedule_invokes_the_function" {
  command = apply

  assert {
    condition = (
      aws_scheduler_schedule.sweep[0].schedule_expression == "rate(1 day)" &&
      one(aws_scheduler_schedule.sweep[0].flexible_time_window).mode == "OFF"
    )
    error_message = "The sweep must run daily by default with no flexible window."
  }

  assert {
    condition = (
      one(aws_scheduler_schedule.sweep[0].target).arn == aws_lambda_function.this.arn &&
      one(aws_scheduler_schedule.sweep[0].target).role_arn == aws_iam_role.scheduler[0].arn &&
      jsondecode(one(aws_scheduler_schedule.sweep[0].target).input) == { action = "sweep" }
    )
    error_message = "The schedule must invoke the function as the scheduler role with {\"action\":\"sweep\"}."
  }

  assert {
    condition = alltrue([
      for statement in data.aws_iam_policy_document.scheduler[0].statement :
      statement.actions == toset(["lambda:InvokeFunction"]) && statement.resources == toset([aws_lambda_function.this.arn])
    ])
    error_message = "The scheduler role may only invoke the function."
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["SWEEP_LOOKBACK_HOURS"] == "72"
    error_message = "The function must receive the sweep's look-back hours."
  }
}

run "alarms_notify_the_notification_topic" {
  command = apply

  assert {
    condition = alltrue([
      for alarm in [
        aws_cloudwatch_metric_alarm.dead_letters[0],
        aws_cloudwatch_metric_alarm.function_errors[0],
        aws_cloudwatch_metric_alarm.exports_failed[0],
        aws_cloudwatch_metric_alarm.no_exports_completed[0],
      ] :
      alarm.alarm_actions == toset([aws_sns_topic.notifications[0].arn]) && alarm.ok_actions == toset([aws_sns_topic.notifications[0].arn])
    ])
    error_message = "Every alarm must notify the notification topic on alarm and on recovery."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.dead_letters[0].metric_name == "ApproximateNumberOfMessagesVisible" &&
      aws_cloudwatch_metric_alarm.dead_letters[0].dimensions == tomap({ QueueName = "acme-snapshot-export-dlq" }) &&
      aws_cloudwatch_metric_alarm.dead_letters[0].comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.dead_letters[0].threshold == 0
    )
    error_message = "The dead-letter alarm must fire on any visible message in the dead-letter queue."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.exports_failed[0].namespace == jsondecode(file("lambda/snapshot_export/settings.json")).defaults.metrics_namespace &&
      aws_cloudwatch_metric_alarm.exports_failed[0].dimensions == tomap({ Exporter = "acme" }) &&
      aws_cloudwatch_metric_alarm.exports_failed[0].metric_name == "ExportsFailed"
    )
    error_message = "The failed-exports alarm must watch the function's ExportsFailed metric with the Exporter dimension it passes."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.no_exports_completed[0].metric_name == "ExportsCompleted" &&
      aws_cloudwatch_metric_alarm.no_exports_completed[0].period == 3600 &&
      aws_cloudwatch_metric_alarm.no_exports_completed[0].evaluation_periods == 48 &&
      aws_cloudwatch_metric_alarm.no_exports_completed[0].treat_missing_data == "breaching"
    )
    error_message = "The no-exports-completed alarm must treat each hour without ExportsCompleted as breaching, over the configured window."
  }
}
