# Realistic values for the attributes the module joins into names, ARNs and
# policies, so assertions can compare them.

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/terraform"
    user_id    = "AIDAEXAMPLE"
  }
}

mock_data "aws_region" {
  defaults = {
    region = "eu-west-1"
    name   = "eu-west-1"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition  = "aws"
    dns_suffix = "amazonaws.com"
  }
}

mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}

mock_data "aws_s3_bucket" {
  defaults = {
    arn           = "arn:aws:s3:::existing-exports"
    bucket_region = "eu-west-1"
  }
}

mock_resource "aws_kms_key" {
  defaults = {
    arn    = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
  }
}

mock_resource "aws_kms_alias" {
  defaults = {
    arn = "arn:aws:kms:eu-west-1:123456789012:alias/acme-snapshot-export"
  }
}

mock_resource "aws_sns_topic" {
  defaults = {
    arn = "arn:aws:sns:eu-west-1:123456789012:acme-snapshot-events"
  }
}

mock_resource "aws_sns_topic_subscription" {
  defaults = {
    arn = "arn:aws:sns:eu-west-1:123456789012:acme-snapshot-events:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
  }
}

mock_resource "aws_sqs_queue" {
  defaults = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:acme-snapshot-export"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/acme-snapshot-export"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::123456789012:role/acme-snapshot-export-rds"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/acme-snapshot-export"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:acme-snapshot-export"
  }
}

mock_resource "aws_lambda_event_source_mapping" {
  defaults = {
    uuid = "a1b2c3d4-5678-90ab-cdef-11112222333"
  }
}

mock_resource "aws_db_event_subscription" {
  defaults = {
    arn = "arn:aws:rds:eu-west-1:123456789012:es:acme-cluster-snapshots"
  }
}

mock_resource "aws_scheduler_schedule" {
  defaults = {
    arn = "arn:aws:scheduler:eu-west-1:123456789012:schedule/default/acme-snapshot-export-sweep"
  }
}

mock_resource "aws_cloudwatch_metric_alarm" {
  defaults = {
    arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:acme-snapshot-export-errors"
  }
}
