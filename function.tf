locals {
  # The function's whole configuration; every variable it reads is set here so
  # nothing depends on the code's own defaults.
  function_environment = {
    S3_BUCKET_NAME         = local.bucket_name
    IAM_ROLE_ARN           = aws_iam_role.export.arn
    KMS_ARN                = local.kms_key_arn
    EVENT_IDS              = join(",", var.event_ids)
    DB_IDENTIFIERS         = join(",", var.db_identifiers)
    S3_PREFIX_TEMPLATE     = var.s3_prefix_template
    EXPORT_ONLY            = jsonencode(var.export_only)
    MAX_CONCURRENT_EXPORTS = tostring(var.max_concurrent_exports)
    QUEUE_URL              = aws_sqs_queue.this.url
    DEAD_LETTER_QUEUE_URL  = aws_sqs_queue.dead_letter.url
    BACKOFF_BASE_SECONDS   = tostring(var.backoff_base_seconds)
    BACKOFF_MAX_SECONDS    = tostring(var.backoff_max_seconds)
    MAX_WAIT_HOURS         = tostring(var.max_wait_hours)
    NOTIFICATION_TOPIC_ARN = local.notification_topic_arn == null ? "" : local.notification_topic_arn
    NOTIFY_ON_SUCCESS      = tostring(var.notify_on_completed_exports)
    METRICS_NAMESPACE      = local.metrics_namespace
    EXPORTER_NAME          = local.exporter_name
    SWEEP_LOOKBACK_HOURS   = tostring(var.sweep_lookback_hours)
    LOG_LEVEL              = var.log_level
  }
}

data "archive_file" "function" {
  type        = "zip"
  source_dir  = "${path.module}/lambda"
  output_path = "${path.module}/.build/${local.names.function}.zip"
  excludes    = ["**/__pycache__/**", "**/*.pyc"]
}

resource "aws_cloudwatch_log_group" "function" {
  #checkov:skip=CKV_AWS_158:Encrypting the log group with the module's key would need logs.amazonaws.com in the key policy; CloudWatch Logs encrypts log data at rest by default.
  name              = "/aws/lambda/${local.names.function}"
  retention_in_days = var.log_retention_in_days

  tags = var.tags
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:Queue records are retried by SQS and redriven to the module's dead-letter queue; a missed scheduled sweep is covered by the next sweep's look-back window.
  #checkov:skip=CKV_AWS_117:The function calls only AWS APIs; a VPC would add NAT or endpoints without protecting anything.
  #checkov:skip=CKV_AWS_272:The package is built from the module's source at plan time; code signing needs a signing profile the user owns.
  function_name    = local.names.function
  description      = "Starts RDS and Aurora snapshot exports to S3 and tracks them"
  role             = aws_iam_role.function.arn
  filename         = data.archive_file.function.output_path
  source_code_hash = data.archive_file.function.output_base64sha256
  handler          = "snapshot_export.handler.handler"
  runtime          = "python3.13"
  architectures    = ["arm64"]
  memory_size      = var.lambda_memory_size
  timeout          = var.lambda_timeout

  reserved_concurrent_executions = var.reserved_concurrent_executions == null ? -1 : var.reserved_concurrent_executions
  kms_key_arn                    = local.kms_key_arn

  environment {
    variables = local.function_environment
  }

  # The function's Embedded Metric Format lines (ExportsCompleted,
  # ExportsFailed) carry no level, and Lambda treats JSON lines without one
  # as INFO: at WARN or ERROR it would drop them, and the export alarms would
  # lose their metrics. The function filters its own records by LOG_LEVEL,
  # so Lambda's filter stays at INFO unless DEBUG is asked for.
  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.function.name
    application_log_level = var.log_level == "DEBUG" ? "DEBUG" : "INFO"
    system_log_level      = "WARN"
  }

  tracing_config {
    mode = var.enable_tracing ? "Active" : "PassThrough"
  }

  tags = var.tags

  lifecycle {
    precondition {
      # A record still being processed when its visibility timeout ends is
      # delivered again, and the second delivery counts towards maxReceiveCount.
      condition     = var.lambda_timeout < local.queue_settings.visibility_timeout_seconds
      error_message = "lambda_timeout: ${var.lambda_timeout} s must be below the queue's visibility timeout (${local.queue_settings.visibility_timeout_seconds} s)."
    }

    precondition {
      condition     = var.backoff_max_seconds >= var.backoff_base_seconds
      error_message = "backoff_max_seconds (${var.backoff_max_seconds}) must not be below backoff_base_seconds (${var.backoff_base_seconds})."
    }

    precondition {
      # A bucket's SSE-KMS key and an export's KmsKeyId must be in the bucket's
      # and the snapshot's region.
      condition     = try(split(":", var.kms_key_arn)[3], local.region) == local.region
      error_message = "kms_key_arn: the key must be in the module's region (${local.region})."
    }
  }

  depends_on = [aws_iam_role_policy.function]
}

resource "aws_lambda_event_source_mapping" "queue" {
  event_source_arn                   = aws_sqs_queue.this.arn
  function_name                      = aws_lambda_function.this.arn
  batch_size                         = local.queue_settings.batch_size
  maximum_batching_window_in_seconds = local.queue_settings.maximum_batching_window_seconds
  # Lets the function return the records it could not handle so the rest of
  # the batch is deleted.
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = local.queue_settings.maximum_concurrency
  }

  tags = var.tags

  lifecycle {
    precondition {
      # Below the mapping's maximum concurrency, Lambda throttles invocations
      # and the throttled records return to the queue as failed receives.
      condition     = var.reserved_concurrent_executions == null || coalesce(var.reserved_concurrent_executions, 0) >= local.queue_settings.maximum_concurrency
      error_message = "reserved_concurrent_executions: must be at least the event source mapping's maximum concurrency (${local.queue_settings.maximum_concurrency})."
    }
  }

  # Creating the mapping checks that the role may read the queue.
  depends_on = [aws_iam_role_policy.function]
}
