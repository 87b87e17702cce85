# An existing bucket is looked up only to check its region: RDS writes an
# export only to a bucket in the snapshot's region, and a task aimed at
# another region fails after it starts instead of being rejected.
data "aws_s3_bucket" "existing" {
  count = local.create_bucket ? 0 : 1

  bucket = var.bucket_name

  lifecycle {
    postcondition {
      condition     = self.bucket_region == local.region
      error_message = "bucket_name: bucket ${var.bucket_name} is in ${self.bucket_region}, but RDS exports only to a bucket in the snapshots' region (${local.region})."
    }
  }
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:Server access logs need a separate log bucket that the account's owner runs; CloudTrail data events are the usual alternative.
  #checkov:skip=CKV_AWS_144:Exports can be rebuilt from the snapshots; replication to another region is the owner's choice and needs a second bucket and key.
  #checkov:skip=CKV2_AWS_62:Export completion is tracked through RDS events; S3 event notifications would add nothing this module consumes.
  count = local.create_bucket ? 1 : 0

  bucket = local.names.bucket

  tags = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  count = local.create_bucket ? 1 : 0

  bucket                  = aws_s3_bucket.this[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  count = local.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "this" {
  count = local.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  count = local.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  rule {
    # A bucket key cuts the KMS requests an export of many Parquet files makes.
    bucket_key_enabled = true

    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = local.kms_key_arn
    }
  }
}

data "aws_iam_policy_document" "bucket" {
  count = local.create_bucket ? 1 : 0

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.bucket_arn, "${local.bucket_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  count = local.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].id
  policy = data.aws_iam_policy_document.bucket[0].json

  # S3 answers OperationAborted when a bucket policy and the public access
  # block are written to the same bucket at the same time.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count = local.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].id

  rule {
    id     = "exports"
    status = "Enabled"

    filter {}

    dynamic "transition" {
      for_each = var.bucket_lifecycle.transitions

      content {
        days          = transition.value.days
        storage_class = transition.value.storage_class
      }
    }

    dynamic "expiration" {
      for_each = var.bucket_lifecycle.expiration_days == null ? [] : [var.bucket_lifecycle.expiration_days]

      content {
        days = expiration.value
      }
    }

    noncurrent_version_expiration {
      noncurrent_days = var.bucket_lifecycle.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = var.bucket_lifecycle.abort_incomplete_multipart_upload_days
    }
  }

  # The noncurrent-version rule applies only once versioning is enabled.
  depends_on = [aws_s3_bucket_versioning.this]
}
