locals {
  alarm_actions = local.has_notification_topic ? [local.notification_topic_arn] : []

  # The export metrics exist only when export-finished events are tracked.
  create_export_alarms = var.create_alarms && var.enable_export_tracking

  # Automated snapshots arrive every day; manual snapshots and copies only when
  # someone makes them, so a window without a completed export is a fault only
  # when at least one selected event is an automated snapshot's. With manual
  # events alone the alarm would be certain to fire.
  exports_expected_daily = anytrue([
    for event in values(local.selected_created_events) : event.snapshot_type == "automated"
  ])
  create_no_exports_completed_alarm = local.create_export_alarms && local.exports_expected_daily

  export_metric_dimensions = { Exporter = local.exporter_name }
}

resource "aws_sns_topic" "notifications" {
  count = local.create_notification_topic ? 1 : 0

  name              = local.names.notification_topic
  kms_master_key_id = local.kms_key_arn

  tags = var.tags
}

data "aws_iam_policy_document" "notification_topic" {
  count = local.create_notification_topic ? 1 : 0

  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.notifications[0].arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "notifications" {
  count = local.create_notification_topic ? 1 : 0

  arn    = aws_sns_topic.notifications[0].arn
  policy = data.aws_iam_policy_document.notification_topic[0].json
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  count = var.create_alarms ? 1 : 0

  alarm_name          = "${local.names.function}-dead-letters"
  alarm_description   = "Snapshot export requests reached ${aws_sqs_queue.dead_letter.name}: a snapshot was not exported and needs a person."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dead_letter.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "function_errors" {
  count = var.create_alarms ? 1 : 0

  alarm_name          = "${local.names.function}-errors"
  alarm_description   = "${local.names.function} raised an unhandled error."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "exports_failed" {
  count = local.create_export_alarms ? 1 : 0

  alarm_name          = "${local.names.function}-exports-failed"
  alarm_description   = "An RDS snapshot export task ended failed or canceled; the function's ERROR log names the snapshot and the cause."
  namespace           = local.metrics_namespace
  metric_name         = "ExportsFailed"
  dimensions          = local.export_metric_dimensions
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "no_exports_completed" {
  count = local.create_no_exports_completed_alarm ? 1 : 0

  alarm_name        = "${local.names.function}-no-exports-completed"
  alarm_description = "No RDS snapshot export completed in the last ${var.completed_export_alarm_hours} hours."
  namespace         = local.metrics_namespace
  metric_name       = "ExportsCompleted"
  dimensions        = local.export_metric_dimensions
  statistic         = "Sum"
  period            = 3600
  # An hour without the metric is an hour without a completed export.
  evaluation_periods  = var.completed_export_alarm_hours
  datapoints_to_alarm = var.completed_export_alarm_hours
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  tags = var.tags
}
