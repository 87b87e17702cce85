output "bucket_name" {
  description = "Name of the bucket the exports are written to (created or existing)."
  value       = local.bucket_name
}

output "bucket_arn" {
  description = "ARN of the bucket the exports are written to; grant readers of the exports s3:GetObject on its objects."
  value       = local.bucket_arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the exports, topics and queues (created or existing); readers of the exports need kms:Decrypt on it."
  value       = local.kms_key_arn
}

output "kms_key_alias_arn" {
  description = "ARN of the created key's alias; null with an existing key."
  value       = try(aws_kms_alias.this[0].arn, null)
}

output "kms_key_policy_json" {
  description = "Key policy the module applies to the key it creates. With an existing key (kms_key_arn), add its service and role statements to that key's policy."
  value       = data.aws_iam_policy_document.kms_key.json
}

output "event_topic_arn" {
  description = "ARN of the encrypted SNS topic the RDS event subscriptions publish to."
  value       = aws_sns_topic.events.arn
}

output "notification_topic_arn" {
  description = "ARN of the topic receiving alarms and export failure notifications (created or existing); subscribe people or chat tools to it. null when there is none."
  value       = local.notification_topic_arn
}

output "queue_arn" {
  description = "ARN of the queue buffering snapshot events for the function."
  value       = aws_sqs_queue.this.arn
}

output "queue_url" {
  description = "URL of the queue buffering snapshot events for the function."
  value       = aws_sqs_queue.this.url
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue holding snapshots that could not be exported; redrive them to the queue after fixing the cause."
  value       = aws_sqs_queue.dead_letter.arn
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue."
  value       = aws_sqs_queue.dead_letter.url
}

output "function_name" {
  description = "Name of the export function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the export function."
  value       = aws_lambda_function.this.arn
}

output "function_log_group_name" {
  description = "Name of the function's CloudWatch log group (JSON lines, one per decision)."
  value       = aws_cloudwatch_log_group.function.name
}

output "function_role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.function.arn
}

output "function_role_name" {
  description = "Name of the function's execution role, for attaching further policies."
  value       = aws_iam_role.function.name
}

output "export_role_arn" {
  description = "ARN of the role RDS assumes to write exports."
  value       = aws_iam_role.export.arn
}

output "export_role_name" {
  description = "Name of the role RDS assumes to write exports."
  value       = aws_iam_role.export.name
}

output "scheduler_role_arn" {
  description = "ARN of the role EventBridge Scheduler assumes to start the sweep; null when the sweep is off."
  value       = try(aws_iam_role.scheduler[0].arn, null)
}

output "sweep_schedule_arn" {
  description = "ARN of the sweep schedule; null when the sweep is off."
  value       = try(aws_scheduler_schedule.sweep[0].arn, null)
}

output "cluster_snapshot_subscription_arn" {
  description = "ARN of the RDS event subscription for DB cluster snapshots; null when no selected event needs it."
  value       = try(aws_db_event_subscription.this["cluster"].arn, null)
}

output "instance_snapshot_subscription_arn" {
  description = "ARN of the RDS event subscription for DB instance snapshots; null when no selected event needs it."
  value       = try(aws_db_event_subscription.this["instance"].arn, null)
}

output "queue_subscription_arn" {
  description = "ARN of the event topic's subscription that feeds the queue."
  value       = aws_sns_topic_subscription.queue.arn
}

output "subscribed_event_ids" {
  description = "Event IDs the queue subscription's filter policy lets through: the selected snapshot-created events plus, with tracking on, the export finished events."
  value       = local.subscribed_event_ids
}

output "event_source_mapping_uuid" {
  description = "UUID of the mapping from the queue to the function; disable it to pause exports."
  value       = aws_lambda_event_source_mapping.queue.uuid
}

output "dead_letters_alarm_arn" {
  description = "ARN of the alarm on messages in the dead-letter queue; null when alarms are off."
  value       = try(aws_cloudwatch_metric_alarm.dead_letters[0].arn, null)
}

output "function_errors_alarm_arn" {
  description = "ARN of the alarm on function errors; null when alarms are off."
  value       = try(aws_cloudwatch_metric_alarm.function_errors[0].arn, null)
}

output "exports_failed_alarm_arn" {
  description = "ARN of the alarm on failed or canceled exports; null when alarms or tracking are off."
  value       = try(aws_cloudwatch_metric_alarm.exports_failed[0].arn, null)
}

output "no_exports_completed_alarm_arn" {
  description = "ARN of the alarm on no completed export within completed_export_alarm_hours; null when alarms or tracking are off, or when event_ids selects no automated snapshot event."
  value       = try(aws_cloudwatch_metric_alarm.no_exports_completed[0].arn, null)
}
