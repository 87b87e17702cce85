provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project = "rds-snapshot-export"
    }
  }
}

module "snapshot_export" {
  source = "../../"

  name_prefix = "acme-prod"

  # Automated and manual snapshots of clusters and instances.
  event_ids          = ["RDS-EVENT-0169", "RDS-EVENT-0075", "RDS-EVENT-0091", "RDS-EVENT-0042"]
  db_identifiers     = ["orders", "billing"]
  s3_prefix_template = "rds/{db}/{yyyy}/{mm}/{dd}"

  # Leave two of the account's five export slots to other jobs.
  max_concurrent_exports = 3
  max_wait_hours         = 48

  bucket_lifecycle = {
    transitions = [
      { days = 30, storage_class = "STANDARD_IA" },
      { days = 180, storage_class = "GLACIER_IR" },
    ]
    expiration_days = 400
  }

  completed_export_alarm_hours = 36
  sweep_schedule_expression    = "cron(0 6 * * ? *)"
  sweep_lookback_hours         = 48

  lambda_memory_size             = 256
  lambda_timeout                 = 120
  reserved_concurrent_executions = 2
  log_retention_in_days          = 731

  tags = {
    team = "data-platform"
  }
}

resource "aws_sns_topic_subscription" "alerts_email" {
  count = var.alert_email == null ? 0 : 1

  topic_arn = module.snapshot_export.notification_topic_arn
  protocol  = "email"
  endpoint  = var.alert_email
}

# What a consumer of the Parquet files (Athena, Glue, a data team's role)
# needs: read the objects and decrypt them with the export key.
data "aws_iam_policy_document" "export_reader" {
  statement {
    sid       = "ListExports"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [module.snapshot_export.bucket_arn]
  }

  statement {
    sid       = "ReadExports"
    actions   = ["s3:GetObject"]
    resources = ["${module.snapshot_export.bucket_arn}/rds/*"]
  }

  statement {
    sid       = "DecryptExports"
    actions   = ["kms:Decrypt", "kms:DescribeKey"]
    resources = [module.snapshot_export.kms_key_arn]
  }
}

resource "aws_iam_policy" "export_reader" {
  name        = "acme-prod-snapshot-export-reader"
  description = "Read the RDS snapshot exports written by the acme-prod exporter"
  policy      = data.aws_iam_policy_document.export_reader.json
}
