locals {
  dns_suffix = data.aws_partition.current.dns_suffix

  # What the export role needs on the key to write SSE-KMS objects into the
  # bucket; shared by its IAM policy and the key policy.
  export_role_kms_actions = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
  ]

  # The function uses the key only through these services: SQS (reading and
  # re-sending messages), SNS (publishing notifications) and Lambda
  # (decrypting its environment).
  function_kms_via_services = [
    "sqs.${local.region}.${local.dns_suffix}",
    "sns.${local.region}.${local.dns_suffix}",
    "lambda.${local.region}.${local.dns_suffix}",
  ]
}

# Export role: RDS assumes it to write the exported files.

data "aws_iam_policy_document" "export_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["export.rds.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "export" {
  name               = local.names.export_role
  description        = "Assumed by RDS to write snapshot exports to ${local.bucket_name}"
  assume_role_policy = data.aws_iam_policy_document.export_assume.json

  tags = var.tags
}

# StartExportTask documents exactly these S3 actions for the role it is given.
data "aws_iam_policy_document" "export" {
  statement {
    sid       = "LocateBucket"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [local.bucket_arn]
  }

  statement {
    sid       = "WriteExportFiles"
    actions   = ["s3:PutObject*", "s3:GetObject*", "s3:DeleteObject*"]
    resources = ["${local.bucket_arn}/*"]
  }

  statement {
    sid       = "EncryptExportFiles"
    actions   = local.export_role_kms_actions
    resources = [local.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "export" {
  name   = "write-exports"
  role   = aws_iam_role.export.id
  policy = data.aws_iam_policy_document.export.json
}

# Function role.

data "aws_iam_policy_document" "function_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "function" {
  name               = local.names.function_role
  description        = "Execution role of ${local.names.function}"
  assume_role_policy = data.aws_iam_policy_document.function_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "function" {
  statement {
    sid     = "StartExports"
    actions = ["rds:StartExportTask"]
    resources = [
      "${local.rds_arn_prefix}:snapshot:*",
      "${local.rds_arn_prefix}:cluster-snapshot:*",
    ]
  }

  statement {
    sid     = "DescribeInstanceSnapshots"
    actions = ["rds:DescribeDBSnapshots"]
    resources = [
      "${local.rds_arn_prefix}:snapshot:*",
      "${local.rds_arn_prefix}:db:*",
    ]
  }

  statement {
    sid     = "DescribeClusterSnapshots"
    actions = ["rds:DescribeDBClusterSnapshots"]
    resources = [
      "${local.rds_arn_prefix}:cluster-snapshot:*",
      "${local.rds_arn_prefix}:cluster:*",
    ]
  }

  # The Service Authorization Reference lists no resource types for
  # rds:DescribeExportTasks, so it can only be granted on "*"; the region
  # condition keeps it to this deployment's region.
  statement {
    sid       = "CountExportsInProgress"
    actions   = ["rds:DescribeExportTasks"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = [local.region]
    }
  }

  statement {
    sid       = "PassExportRoleToRds"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.export.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["export.rds.amazonaws.com"]
    }
  }

  # StartExportTask's caller needs kms:CreateGrant and kms:DescribeKey; the
  # grant is created by RDS on the caller's behalf.
  statement {
    sid       = "LetRdsUseKey"
    actions   = ["kms:CreateGrant"]
    resources = [local.kms_key_arn]

    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }

  statement {
    sid       = "DescribeKey"
    actions   = ["kms:DescribeKey"]
    resources = [local.kms_key_arn]
  }

  statement {
    sid       = "UseEncryptedQueuesAndTopics"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [local.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = local.function_kms_via_services
    }
  }

  # What the SQS event source mapping needs to poll the queue; the function
  # itself never changes a message's visibility (it re-sends deferred records).
  statement {
    sid = "ConsumeQueue"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
    ]
    resources = [aws_sqs_queue.this.arn]
  }

  # Deferred records and sweep requests are re-sent to the queue; permanent
  # failures are sent straight to the dead-letter queue.
  statement {
    sid       = "SendToQueues"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.this.arn, aws_sqs_queue.dead_letter.arn]
  }

  dynamic "statement" {
    for_each = local.has_notification_topic ? [1] : []

    content {
      sid       = "PublishNotifications"
      actions   = ["sns:Publish"]
      resources = [local.notification_topic_arn]
    }
  }

  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function.arn}:*"]
  }

  # X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level
  # permissions.
  dynamic "statement" {
    for_each = var.enable_tracing ? [1] : []

    content {
      sid       = "WriteTraces"
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "function" {
  name   = "snapshot-export"
  role   = aws_iam_role.function.id
  policy = data.aws_iam_policy_document.function.json
}
