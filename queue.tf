# RDS allows five export tasks in progress per account, so snapshot events are
# buffered in a queue: the function defers what it cannot start yet, and a
# record that keeps failing moves to the dead-letter queue instead of being
# dropped the way an asynchronous SNS-to-Lambda invocation would drop it.

resource "aws_sqs_queue" "dead_letter" {
  name = local.names.dead_letter_queue
  # A standard queue keeps a message's original enqueue time when it moves to
  # the dead-letter queue, so this must outlast the main queue's retention.
  message_retention_seconds         = local.queue_settings.dead_letter_retention_seconds
  kms_master_key_id                 = local.kms_key_arn
  kms_data_key_reuse_period_seconds = 300

  tags = var.tags
}

resource "aws_sqs_queue" "this" {
  name                              = local.names.queue
  visibility_timeout_seconds        = local.queue_settings.visibility_timeout_seconds
  message_retention_seconds         = local.queue_settings.message_retention_seconds
  receive_wait_time_seconds         = 20
  kms_master_key_id                 = local.kms_key_arn
  kms_data_key_reuse_period_seconds = 300

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
    maxReceiveCount     = local.queue_settings.max_receive_count
  })

  tags = var.tags
}

resource "aws_sqs_queue_redrive_allow_policy" "dead_letter" {
  queue_url = aws_sqs_queue.dead_letter.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this.arn]
  })
}

data "aws_iam_policy_document" "queue" {
  statement {
    sid       = "EventTopicSends"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.this.arn]

    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_sns_topic.events.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "this" {
  queue_url = aws_sqs_queue.this.id
  policy    = data.aws_iam_policy_document.queue.json
}

resource "aws_sns_topic_subscription" "queue" {
  topic_arn = aws_sns_topic.events.arn
  protocol  = "sqs"
  endpoint  = aws_sqs_queue.this.arn
  # The function reads the SNS envelope from each record's body: the RDS
  # message plus the EventID and Resource message attributes. Raw delivery
  # would put only the RDS message there.
  raw_message_delivery = false
  filter_policy_scope  = "MessageAttributes"
  filter_policy        = jsonencode({ EventID = local.subscribed_event_ids })

  lifecycle {
    precondition {
      condition     = length(local.unknown_event_ids) == 0
      error_message = "event_ids: ${join(", ", local.unknown_event_ids)} is not a snapshot-created event ID. Allowed: ${join(", ", sort(keys(local.created_events)))}."
    }
  }

  # Deliveries fail until the queue policy lets the topic send.
  depends_on = [aws_sqs_queue_policy.this]
}
