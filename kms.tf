# One symmetric key encrypts the bucket, both topics, both queues and the
# function's environment. RDS exports accept only symmetric customer managed
# keys, and every service that reads or writes an encrypted resource needs a
# grant in this policy.
data "aws_iam_policy_document" "kms_key" {
  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" is the key itself; the account statement is AWS's default that lets IAM policies apply.
  #checkov:skip=CKV_AWS_111:A key policy's Resource "*" is the key itself; write access is limited by principal and condition.
  #checkov:skip=CKV_AWS_356:A key policy's Resource "*" is the key itself, not every resource.
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # The three service statements below are AWS's documented key-policy
  # statements for services publishing to encrypted topics and SNS delivering
  # to encrypted queues, and like them carry no aws:SourceAccount condition:
  # KMS is not documented to receive that key in these calls, and if it does
  # not, such a condition would make every publish fail without an error
  # anyone sees. Who may publish or send is decided by the topic and queue
  # policies, which keep their aws:SourceAccount and aws:SourceArn conditions.

  # RDS event notifications publish to the encrypted event topic.
  statement {
    sid       = "RdsEventsPublishToEncryptedTopic"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["events.rds.amazonaws.com"]
    }
  }

  # SNS delivers from the event topic to the encrypted queue.
  statement {
    sid       = "SnsDeliverToEncryptedQueue"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }
  }

  # CloudWatch alarms publish to the encrypted notification topic.
  statement {
    sid       = "CloudWatchAlarmsPublishToEncryptedTopic"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }

  # The export role writes the Parquet files into the SSE-KMS bucket.
  statement {
    sid       = "ExportRoleWritesEncryptedExports"
    actions   = local.export_role_kms_actions
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.export.arn]
    }
  }

  # StartExportTask's caller must be able to create a grant for RDS and
  # describe the key.
  statement {
    sid       = "FunctionStartsExports"
    actions   = ["kms:CreateGrant"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.function.arn]
    }

    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }

  statement {
    sid       = "FunctionDescribesKey"
    actions   = ["kms:DescribeKey"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.function.arn]
    }
  }

  # The function reads and sends encrypted queue messages, publishes to the
  # encrypted notification topic, and Lambda decrypts its environment.
  statement {
    sid       = "FunctionUsesEncryptedQueuesAndTopics"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.function.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = local.function_kms_via_services
    }
  }
}

resource "aws_kms_key" "this" {
  count = local.create_kms_key ? 1 : 0

  description              = "Encrypts RDS snapshot exports and the ${var.name_prefix} export pipeline"
  key_usage                = "ENCRYPT_DECRYPT"
  customer_master_key_spec = "SYMMETRIC_DEFAULT"
  enable_key_rotation      = true
  deletion_window_in_days  = 30
  policy                   = data.aws_iam_policy_document.kms_key.json

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  count = local.create_kms_key ? 1 : 0

  name          = local.names.key_alias
  target_key_id = aws_kms_key.this[0].key_id
}
