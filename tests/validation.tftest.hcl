# One run per validation rule: each input AWS would reject, or that would
# break the pipeline, fails at plan with a message naming the input.

mock_provider "aws" {
  source = "./tests/mocks/aws"
}

mock_provider "archive" {}

variables {
  name_prefix = "acme"
}

run "name_prefix_with_uppercase_is_rejected" {
  command = plan

  variables {
    name_prefix = "Acme"
  }

  expect_failures = [var.name_prefix]
}

run "name_prefix_starting_with_a_digit_is_rejected" {
  command = plan

  variables {
    name_prefix = "1acme"
  }

  expect_failures = [var.name_prefix]
}

run "name_prefix_with_trailing_hyphen_is_rejected" {
  command = plan

  variables {
    name_prefix = "acme-"
  }

  expect_failures = [var.name_prefix]
}

run "name_prefix_with_double_hyphen_is_rejected" {
  command = plan

  variables {
    name_prefix = "acme--prod"
  }

  expect_failures = [var.name_prefix]
}

run "name_prefix_longer_than_24_is_rejected" {
  command = plan

  variables {
    name_prefix = "abcdefghijklmnopqrstuvwxy"
  }

  expect_failures = [var.name_prefix]
}

run "empty_event_ids_are_rejected" {
  command = plan

  variables {
    event_ids = []
  }

  expect_failures = [var.event_ids]
}

run "repeated_event_ids_are_rejected" {
  command = plan

  variables {
    event_ids = ["RDS-EVENT-0169", "RDS-EVENT-0169"]
  }

  expect_failures = [var.event_ids]
}

run "db_identifier_starting_with_a_digit_is_rejected" {
  command = plan

  variables {
    db_identifiers = ["1orders"]
  }

  expect_failures = [var.db_identifiers]
}

run "prefix_template_with_colon_is_rejected" {
  command = plan

  variables {
    s3_prefix_template = "exports:{db}"
  }

  expect_failures = [var.s3_prefix_template]
}

run "prefix_template_with_unknown_placeholder_is_rejected" {
  command = plan

  variables {
    s3_prefix_template = "{db}/{engine}"
  }

  expect_failures = [var.s3_prefix_template]
}

run "prefix_template_with_leading_slash_is_rejected" {
  command = plan

  variables {
    s3_prefix_template = "/{db}"
  }

  expect_failures = [var.s3_prefix_template]
}

run "export_only_with_four_parts_is_rejected" {
  command = plan

  variables {
    export_only = ["a.b.c.d"]
  }

  expect_failures = [var.export_only]
}

run "more_than_five_concurrent_exports_are_rejected" {
  command = plan

  variables {
    max_concurrent_exports = 6
  }

  expect_failures = [var.max_concurrent_exports]
}

run "zero_backoff_base_is_rejected" {
  command = plan

  variables {
    backoff_base_seconds = 0
  }

  expect_failures = [var.backoff_base_seconds]
}

run "zero_backoff_max_is_rejected" {
  command = plan

  variables {
    backoff_max_seconds = 0
  }

  expect_failures = [var.backoff_max_seconds]
}

run "zero_max_wait_is_rejected" {
  command = plan

  variables {
    max_wait_hours = 0
  }

  expect_failures = [var.max_wait_hours]
}

run "invalid_bucket_name_is_rejected" {
  command = plan

  variables {
    bucket_name = "Exports_Bucket"
  }

  expect_failures = [var.bucket_name]
}

run "unknown_storage_class_is_rejected" {
  command = plan

  variables {
    bucket_lifecycle = { transitions = [{ days = 30, storage_class = "COLD" }] }
  }

  expect_failures = [var.bucket_lifecycle]
}

run "infrequent_access_before_30_days_is_rejected" {
  command = plan

  variables {
    bucket_lifecycle = { transitions = [{ days = 7, storage_class = "STANDARD_IA" }] }
  }

  expect_failures = [var.bucket_lifecycle]
}

run "expiration_before_a_transition_is_rejected" {
  command = plan

  variables {
    bucket_lifecycle = { expiration_days = 60 }
  }

  expect_failures = [var.bucket_lifecycle]
}

run "zero_day_multipart_abort_is_rejected" {
  command = plan

  variables {
    bucket_lifecycle = { abort_incomplete_multipart_upload_days = 0 }
  }

  expect_failures = [var.bucket_lifecycle]
}

run "key_alias_instead_of_key_arn_is_rejected" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:alias/exports"
  }

  expect_failures = [var.kms_key_arn]
}

run "notification_topic_that_is_not_an_arn_is_rejected" {
  command = plan

  variables {
    notification_topic_arn = "ops-alerts"
  }

  expect_failures = [var.notification_topic_arn]
}

run "completed_export_window_over_a_week_is_rejected" {
  command = plan

  variables {
    completed_export_alarm_hours = 169
  }

  expect_failures = [var.completed_export_alarm_hours]
}

run "sweep_schedule_that_is_not_rate_or_cron_is_rejected" {
  command = plan

  variables {
    sweep_schedule_expression = "every day"
  }

  expect_failures = [var.sweep_schedule_expression]
}

run "zero_sweep_look_back_is_rejected" {
  command = plan

  variables {
    sweep_lookback_hours = 0
  }

  expect_failures = [var.sweep_lookback_hours]
}

run "memory_below_lambda_minimum_is_rejected" {
  command = plan

  variables {
    lambda_memory_size = 64
  }

  expect_failures = [var.lambda_memory_size]
}

run "timeout_above_lambda_maximum_is_rejected" {
  command = plan

  variables {
    lambda_timeout = 901
  }

  expect_failures = [var.lambda_timeout]
}

run "zero_reserved_concurrency_is_rejected" {
  command = plan

  variables {
    reserved_concurrent_executions = 0
  }

  expect_failures = [var.reserved_concurrent_executions]
}

run "log_retention_outside_cloudwatch_values_is_rejected" {
  command = plan

  variables {
    log_retention_in_days = 10
  }

  expect_failures = [var.log_retention_in_days]
}

run "unknown_log_level_is_rejected" {
  command = plan

  variables {
    log_level = "TRACE"
  }

  expect_failures = [var.log_level]
}

run "name_prefix_of_24_characters_fits_the_bucket_name" {
  command = plan

  variables {
    name_prefix = "abcdefghijklmnopqrstuvwx"
  }

  assert {
    condition     = length(aws_s3_bucket.this[0].bucket) <= 63
    error_message = "The longest allowed name_prefix must still give a bucket name within S3's 63 characters."
  }
}
