# RDS delivers events on a best-effort basis, so a scheduled sweep asks the
# function to look for snapshots of the last sweep_lookback_hours that were
# never exported and to queue them.

data "aws_iam_policy_document" "scheduler_assume" {
  count = var.enable_sweep ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  count = var.enable_sweep ? 1 : 0

  name               = local.names.scheduler_role
  description        = "Lets EventBridge Scheduler start the ${local.names.function} sweep"
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume[0].json

  tags = var.tags
}

data "aws_iam_policy_document" "scheduler" {
  count = var.enable_sweep ? 1 : 0

  statement {
    sid       = "InvokeSweep"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.this.arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  count = var.enable_sweep ? 1 : 0

  name   = "invoke-sweep"
  role   = aws_iam_role.scheduler[0].id
  policy = data.aws_iam_policy_document.scheduler[0].json
}

resource "aws_scheduler_schedule" "sweep" {
  #checkov:skip=CKV_AWS_297:The schedule's only payload is the constant {"action":"sweep"}; a customer managed key would add a key policy grant for no data.
  count = var.enable_sweep ? 1 : 0

  name                = local.names.sweep_schedule
  description         = "Queues RDS snapshots that were never exported"
  group_name          = "default"
  schedule_expression = var.sweep_schedule_expression
  state               = "ENABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.this.arn
    role_arn = aws_iam_role.scheduler[0].arn
    input    = jsonencode({ action = "sweep" })

    # A sweep that cannot be delivered within the hour is superseded by the
    # next one, whose look-back window covers the same snapshots.
    retry_policy {
      maximum_event_age_in_seconds = 3600
      maximum_retry_attempts       = 3
    }
  }

  depends_on = [aws_iam_role_policy.scheduler]
}
