output "bucket_name" {
  description = "Bucket holding the exports."
  value       = module.snapshot_export.bucket_name
}

output "function_name" {
  description = "Name of the export function."
  value       = module.snapshot_export.function_name
}

output "dead_letter_queue_url" {
  description = "Dead-letter queue to inspect when the dead-letter alarm fires."
  value       = module.snapshot_export.dead_letter_queue_url
}

output "notification_topic_arn" {
  description = "Topic receiving alarms and export failure notifications."
  value       = module.snapshot_export.notification_topic_arn
}

output "export_reader_policy_arn" {
  description = "Policy to attach to roles that read the exports."
  value       = aws_iam_policy.export_reader.arn
}
