# What each optional input changes, and the cross-input checks that stop a
# plan before AWS would reject or silently break it.

mock_provider "aws" {
  source = "./tests/mocks/aws"
}

mock_provider "archive" {}

variables {
  name_prefix = "acme"
}

run "existing_bucket_creates_no_bucket" {
  command = plan

  variables {
    bucket_name = "existing-exports"
  }

  assert {
    condition = alltrue([
      length(aws_s3_bucket.this) == 0,
      length(aws_s3_bucket_public_access_block.this) == 0,
      length(aws_s3_bucket_ownership_controls.this) == 0,
      length(aws_s3_bucket_versioning.this) == 0,
      length(aws_s3_bucket_server_side_encryption_configuration.this) == 0,
      length(aws_s3_bucket_policy.this) == 0,
      length(aws_s3_bucket_lifecycle_configuration.this) == 0,
    ])
    error_message = "With bucket_name the module must create no bucket resources."
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["S3_BUCKET_NAME"] == "existing-exports"
    error_message = "The function must export into the existing bucket."
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.export.statement :
      statement.resources == toset(["arn:aws:s3:::existing-exports/*"])
    ])
    error_message = "The export role must be scoped to the existing bucket."
  }
}

run "existing_bucket_in_another_region_is_rejected" {
  command = plan

  variables {
    bucket_name = "existing-exports"
  }

  override_data {
    target = data.aws_s3_bucket.existing
    values = {
      bucket_region = "us-east-1"
    }
  }

  expect_failures = [data.aws_s3_bucket.existing]
}

run "existing_key_creates_no_key" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/0f0e0d0c-0b0a-0908-0706-050403020100"
  }

  assert {
    condition     = length(aws_kms_key.this) == 0 && length(aws_kms_alias.this) == 0
    error_message = "With kms_key_arn the module must create no key or alias."
  }

  assert {
    condition = alltrue([
      aws_sns_topic.events.kms_master_key_id == var.kms_key_arn,
      aws_sqs_queue.this.kms_master_key_id == var.kms_key_arn,
      aws_sqs_queue.dead_letter.kms_master_key_id == var.kms_key_arn,
      one(aws_lambda_function.this.environment).variables["KMS_ARN"] == var.kms_key_arn,
      one(one(aws_s3_bucket_server_side_encryption_configuration.this[0].rule).apply_server_side_encryption_by_default).kms_master_key_id == var.kms_key_arn,
    ])
    error_message = "The existing key must encrypt the topics, queues and bucket and be passed to the function."
  }

  assert {
    condition     = output.kms_key_alias_arn == null
    error_message = "Outputs of resources that are not created must be null."
  }
}

run "existing_key_in_another_region_is_rejected" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-0b0a-0908-0706-050403020100"
  }

  expect_failures = [aws_lambda_function.this]
}

run "alarms_off_creates_no_alarms" {
  command = plan

  variables {
    create_alarms = false
  }

  assert {
    condition = alltrue([
      length(aws_cloudwatch_metric_alarm.dead_letters) == 0,
      length(aws_cloudwatch_metric_alarm.function_errors) == 0,
      length(aws_cloudwatch_metric_alarm.exports_failed) == 0,
      length(aws_cloudwatch_metric_alarm.no_exports_completed) == 0,
    ])
    error_message = "create_alarms = false must create no alarm."
  }

  assert {
    condition     = length(aws_sns_topic.notifications) == 1
    error_message = "Export tracking still notifies the notification topic without alarms."
  }
}

run "alarms_and_tracking_off_create_no_notification_topic" {
  command = plan

  variables {
    create_alarms          = false
    enable_export_tracking = false
  }

  assert {
    condition     = length(aws_sns_topic.notifications) == 0 && output.notification_topic_arn == null
    error_message = "Without alarms and tracking nothing publishes, so no notification topic is created."
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["NOTIFICATION_TOPIC_ARN"] == ""
    error_message = "The function must get an empty NOTIFICATION_TOPIC_ARN when there is no topic."
  }

  assert {
    condition = !anytrue([
      for statement in data.aws_iam_policy_document.function.statement : contains(statement.actions, "sns:Publish")
    ])
    error_message = "Without a notification topic the function role must not get sns:Publish."
  }
}

run "tracking_off_drops_notification_categories_and_ids" {
  command = plan

  variables {
    enable_export_tracking = false
  }

  assert {
    condition     = tolist(jsondecode(aws_sns_topic_subscription.queue.filter_policy).EventID) == tolist(["RDS-EVENT-0091", "RDS-EVENT-0169"])
    error_message = "Without tracking the filter policy must hold only the selected snapshot-created IDs."
  }

  assert {
    condition = (
      aws_db_event_subscription.this["cluster"].event_categories == toset(["backup"]) &&
      aws_db_event_subscription.this["instance"].event_categories == toset(["creation"])
    )
    error_message = "Without tracking the subscriptions must drop the notification category."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.exports_failed) == 0 && length(aws_cloudwatch_metric_alarm.no_exports_completed) == 0
    error_message = "Without tracking the export metrics never appear, so their alarms must not exist."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.dead_letters) == 1 && length(aws_cloudwatch_metric_alarm.function_errors) == 1
    error_message = "The dead-letter and error alarms do not depend on tracking."
  }
}

run "manual_snapshot_events_only_create_no_completed_export_alarm" {
  command = plan

  variables {
    event_ids = ["RDS-EVENT-0075", "RDS-EVENT-0042", "RDS-EVENT-0197", "RDS-EVENT-0060"]
  }

  assert {
    condition = alltrue([
      for id in var.event_ids : jsondecode(file("lambda/snapshot_export/settings.json")).snapshot_created_events[id].snapshot_type == "manual"
    ])
    error_message = "This run needs event IDs whose settings.json snapshot_type is manual."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.no_exports_completed) == 0 && output.no_exports_completed_alarm_arn == null
    error_message = "With only manual snapshot events selected, exports come irregularly and the no-exports-completed alarm would always fire, so it must not exist."
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.exports_failed) == 1
    error_message = "The failed-exports alarm must not depend on which snapshot events are selected."
  }
}

run "one_automated_snapshot_event_creates_the_completed_export_alarm" {
  command = plan

  variables {
    event_ids                    = ["RDS-EVENT-0042", "RDS-EVENT-0169"]
    completed_export_alarm_hours = 30
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.no_exports_completed) == 1 && aws_cloudwatch_metric_alarm.no_exports_completed[0].evaluation_periods == 30
    error_message = "With an automated snapshot event among the selected ones, the no-exports-completed alarm must exist over completed_export_alarm_hours."
  }
}

run "cluster_events_only_create_no_instance_subscription" {
  command = plan

  variables {
    event_ids              = ["RDS-EVENT-0169", "RDS-EVENT-0075"]
    enable_export_tracking = false
  }

  assert {
    condition     = toset(keys(aws_db_event_subscription.this)) == toset(["cluster"])
    error_message = "Only cluster snapshot events are selected, so only the cluster subscription may exist."
  }

  assert {
    condition     = output.instance_snapshot_subscription_arn == null
    error_message = "The instance subscription output must be null when it is not created."
  }
}

run "snapshot_copy_events_subscribe_to_the_notification_category" {
  command = plan

  variables {
    event_ids              = ["RDS-EVENT-0197"]
    enable_export_tracking = false
  }

  assert {
    condition     = toset(keys(aws_db_event_subscription.this)) == toset(["instance"]) && aws_db_event_subscription.this["instance"].event_categories == toset(["notification"])
    error_message = "Snapshot copy events come in the db-snapshot notification category, as the catalog says."
  }
}

run "sweep_off_creates_no_schedule" {
  command = plan

  variables {
    enable_sweep = false
  }

  assert {
    condition     = length(aws_scheduler_schedule.sweep) == 0 && length(aws_iam_role.scheduler) == 0 && length(aws_iam_role_policy.scheduler) == 0
    error_message = "enable_sweep = false must create no schedule and no scheduler role."
  }

  assert {
    condition     = output.sweep_schedule_arn == null && output.scheduler_role_arn == null
    error_message = "Sweep outputs must be null when the sweep is off."
  }
}

run "sweep_schedule_and_look_back_are_configurable" {
  command = plan

  variables {
    sweep_schedule_expression = "cron(30 6 * * ? *)"
    sweep_lookback_hours      = 24
  }

  assert {
    condition     = aws_scheduler_schedule.sweep[0].schedule_expression == "cron(30 6 * * ? *)"
    error_message = "The schedule must use sweep_schedule_expression."
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["SWEEP_LOOKBACK_HOURS"] == "24"
    error_message = "The function must receive sweep_lookback_hours."
  }
}

run "existing_notification_topic_is_used" {
  command = plan

  variables {
    notification_topic_arn = "arn:aws:sns:eu-west-1:123456789012:ops-alerts"
  }

  assert {
    condition     = length(aws_sns_topic.notifications) == 0
    error_message = "With notification_topic_arn the module must not create a topic."
  }

  assert {
    condition = alltrue([
      for alarm in concat(aws_cloudwatch_metric_alarm.dead_letters, aws_cloudwatch_metric_alarm.exports_failed) :
      alarm.alarm_actions == toset([var.notification_topic_arn]) && alarm.ok_actions == toset([var.notification_topic_arn])
    ])
    error_message = "Alarms must notify the existing topic."
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.function.statement :
      statement.actions == toset(["sns:Publish"]) && statement.resources == toset([var.notification_topic_arn])
    ])
    error_message = "The function may publish only to the notification topic."
  }
}

run "inputs_reach_the_function_environment" {
  command = plan

  variables {
    db_identifiers         = ["orders", "billing"]
    export_only            = ["orders.public.items"]
    s3_prefix_template     = "rds/{db}/{snapshot}"
    max_concurrent_exports = 3
    log_level              = "WARNING"
  }

  assert {
    condition = (
      one(aws_lambda_function.this.environment).variables["DB_IDENTIFIERS"] == "orders,billing" &&
      jsondecode(one(aws_lambda_function.this.environment).variables["EXPORT_ONLY"]) == ["orders.public.items"] &&
      one(aws_lambda_function.this.environment).variables["S3_PREFIX_TEMPLATE"] == "rds/{db}/{snapshot}" &&
      one(aws_lambda_function.this.environment).variables["MAX_CONCURRENT_EXPORTS"] == "3" &&
      one(aws_lambda_function.this.environment).variables["LOG_LEVEL"] == "WARNING"
    )
    error_message = "Inputs must reach the function environment in the documented formats."
  }

  assert {
    condition     = one(aws_lambda_function.this.logging_config).application_log_level == "INFO"
    error_message = "At log_level WARNING Lambda's application log level must stay INFO: Lambda treats the function's metric lines, which carry no level, as INFO and would drop them at WARN."
  }
}

run "error_log_level_keeps_metric_lines" {
  command = plan

  variables {
    log_level = "ERROR"
  }

  assert {
    condition     = one(aws_lambda_function.this.logging_config).application_log_level == "INFO"
    error_message = "At log_level ERROR Lambda's application log level must stay INFO, or Lambda drops the ExportsCompleted and ExportsFailed metric lines and the export alarms lose their metrics."
  }

  assert {
    condition     = one(aws_lambda_function.this.environment).variables["LOG_LEVEL"] == "ERROR"
    error_message = "The function must receive log_level in LOG_LEVEL; it filters its own records by it."
  }
}

run "debug_log_level_reaches_lambda" {
  command = plan

  variables {
    log_level = "DEBUG"
  }

  assert {
    condition     = one(aws_lambda_function.this.logging_config).application_log_level == "DEBUG"
    error_message = "At log_level DEBUG Lambda's application log level must be DEBUG, or Lambda drops the function's debug records."
  }
}

run "prefix_template_description_matches_the_rendering" {
  command = plan

  # Terraform passes the template as given and the function renders it, with
  # ':' and '/' in the snapshot name replaced by hyphens, so an automated
  # snapshot's "rds:" survives as "rds-". Descriptions are not visible to
  # expressions; variables.tf is.
  assert {
    condition = (
      one(aws_lambda_function.this.environment).variables["S3_PREFIX_TEMPLATE"] == var.s3_prefix_template &&
      strcontains(file("variables.tf"), "\\\"rds:orders-2026-12-03-03-09\\\" gives \\\"rds-orders-2026-12-03-03-09\\\"") &&
      !strcontains(file("variables.tf"), "without \\\"rds:\\\"")
    )
    error_message = "The s3_prefix_template description must say {snapshot} is the whole snapshot name with ':' and '/' replaced by hyphens (\"rds:orders-...\" gives \"rds-orders-...\"), not the name without \"rds:\"."
  }
}

run "tracing_off_drops_xray" {
  command = plan

  variables {
    enable_tracing = false
  }

  assert {
    condition     = one(aws_lambda_function.this.tracing_config).mode == "PassThrough"
    error_message = "enable_tracing = false must turn active tracing off."
  }

  assert {
    condition = !anytrue([
      for statement in data.aws_iam_policy_document.function.statement : contains(statement.actions, "xray:PutTraceSegments")
    ])
    error_message = "Without tracing the function role must not get X-Ray rights."
  }
}

run "lifecycle_input_shapes_the_bucket_rule" {
  command = plan

  variables {
    bucket_lifecycle = {
      transitions     = [{ days = 0, storage_class = "INTELLIGENT_TIERING" }]
      expiration_days = 730
    }
  }

  assert {
    condition     = one(one(aws_s3_bucket_lifecycle_configuration.this[0].rule).expiration).days == 730
    error_message = "expiration_days must become the rule's expiration."
  }

  assert {
    condition     = [for t in one(aws_s3_bucket_lifecycle_configuration.this[0].rule).transition : t.storage_class] == ["INTELLIGENT_TIERING"]
    error_message = "The rule's transitions must be the ones given."
  }

  assert {
    condition     = one(one(aws_s3_bucket_lifecycle_configuration.this[0].rule).noncurrent_version_expiration).noncurrent_days == 30
    error_message = "Unset lifecycle fields must keep their defaults."
  }
}

run "tags_reach_taggable_resources" {
  command = plan

  variables {
    tags = { team = "data" }
  }

  assert {
    condition = alltrue([
      aws_s3_bucket.this[0].tags == tomap({ team = "data" }),
      aws_kms_key.this[0].tags == tomap({ team = "data" }),
      aws_sns_topic.events.tags == tomap({ team = "data" }),
      aws_sqs_queue.this.tags == tomap({ team = "data" }),
      aws_sqs_queue.dead_letter.tags == tomap({ team = "data" }),
      aws_lambda_function.this.tags == tomap({ team = "data" }),
      aws_lambda_event_source_mapping.queue.tags == tomap({ team = "data" }),
      aws_cloudwatch_log_group.function.tags == tomap({ team = "data" }),
      aws_iam_role.export.tags == tomap({ team = "data" }),
      aws_iam_role.function.tags == tomap({ team = "data" }),
      aws_iam_role.scheduler[0].tags == tomap({ team = "data" }),
      aws_db_event_subscription.this["cluster"].tags == tomap({ team = "data" }),
      aws_cloudwatch_metric_alarm.dead_letters[0].tags == tomap({ team = "data" }),
    ])
    error_message = "var.tags must be set on every taggable resource."
  }
}

# Cross-input checks (preconditions).

run "unknown_event_id_is_rejected" {
  command = plan

  variables {
    event_ids = ["RDS-EVENT-0169", "RDS-EVENT-0001"]
  }

  expect_failures = [aws_sns_topic_subscription.queue]
}

run "export_finished_event_id_is_rejected_as_a_trigger" {
  command = plan

  variables {
    event_ids = ["RDS-EVENT-0161"]
  }

  expect_failures = [aws_sns_topic_subscription.queue]
}

run "timeout_at_the_visibility_timeout_is_rejected" {
  command = plan

  variables {
    lambda_timeout = 900
  }

  expect_failures = [aws_lambda_function.this]
}

run "backoff_max_below_base_is_rejected" {
  command = plan

  variables {
    backoff_base_seconds = 600
    backoff_max_seconds  = 300
  }

  expect_failures = [aws_lambda_function.this]
}

run "reserved_concurrency_below_mapping_concurrency_is_rejected" {
  command = plan

  variables {
    reserved_concurrent_executions = 1
  }

  expect_failures = [aws_lambda_event_source_mapping.queue]
}
