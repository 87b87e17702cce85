# The examples plan against the module as users call it.

mock_provider "aws" {
  source = "./tests/mocks/aws"
}

mock_provider "archive" {}

run "complete_example_plans" {
  command = plan

  module {
    source = "./examples/complete"
  }

  providers = {
    aws     = aws
    archive = archive
  }

  variables {
    alert_email = "data-platform@example.com"
  }

  assert {
    condition     = length(aws_sns_topic_subscription.alerts_email) == 1
    error_message = "The complete example must subscribe the alert address to the notification topic."
  }

  assert {
    condition     = output.bucket_name == "acme-prod-exports-123456789012-eu-west-1"
    error_message = "The complete example must create the module's own bucket."
  }
}

run "existing_bucket_example_plans" {
  command = plan

  module {
    source = "./examples/existing-bucket"
  }

  providers = {
    aws     = aws
    archive = archive
  }

  variables {
    bucket_name = "existing-exports"
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/0f0e0d0c-0b0a-0908-0706-050403020100"
  }

  assert {
    condition     = output.function_name == "acme-dr-snapshot-export"
    error_message = "The existing-bucket example must plan the export function."
  }
}
