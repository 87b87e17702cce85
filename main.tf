data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  # Names, the event catalog, defaults and queue settings are shared with the
  # function and the demo; this file is their single source.
  settings = jsondecode(file("${path.module}/lambda/snapshot_export/settings.json"))

  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region
  partition  = data.aws_partition.current.partition

  names = {
    for key, template in local.settings.names : key => replace(replace(replace(template,
      "{prefix}", var.name_prefix),
      "{account_id}", local.account_id),
    "{region}", local.region)
  }

  queue_settings    = local.settings.queue
  metrics_namespace = local.settings.defaults.metrics_namespace
  exporter_name     = var.name_prefix

  # Create-or-use-existing, resolved once.
  create_bucket = var.bucket_name == null
  bucket_name   = local.create_bucket ? aws_s3_bucket.this[0].bucket : var.bucket_name
  bucket_arn    = "arn:${local.partition}:s3:::${local.bucket_name}"

  create_kms_key = var.kms_key_arn == null
  kms_key_arn    = local.create_kms_key ? aws_kms_key.this[0].arn : var.kms_key_arn

  create_notification_topic = var.notification_topic_arn == null && (var.create_alarms || var.enable_export_tracking)
  has_notification_topic    = var.notification_topic_arn != null || local.create_notification_topic
  notification_topic_arn = (
    var.notification_topic_arn != null ? var.notification_topic_arn :
    local.create_notification_topic ? aws_sns_topic.notifications[0].arn : null
  )

  # RDS snapshot ARNs are arn:<partition>:rds:<region>:<account>:<type>:<name>.
  rds_arn_prefix = "arn:${local.partition}:rds:${local.region}:${local.account_id}"
}
