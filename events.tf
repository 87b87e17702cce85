locals {
  created_events  = local.settings.snapshot_created_events
  finished_events = local.settings.export_finished_events

  # event_ids is checked against the catalog in a precondition on the queue
  # subscription; unknown IDs are left out here so that check is the error.
  unknown_event_ids = [for id in var.event_ids : id if !contains(keys(local.created_events), id)]
  selected_created_events = {
    for id in var.event_ids : id => local.created_events[id] if contains(keys(local.created_events), id)
  }
  tracked_finished_events = var.enable_export_tracking ? local.finished_events : {}

  subscribed_events    = merge(local.selected_created_events, local.tracked_finished_events)
  subscribed_event_ids = sort(keys(local.subscribed_events))

  # RDS filters an event subscription by source type and category only; the
  # queue subscription's filter policy narrows it to the event IDs.
  event_sources = {
    cluster  = { source_type = "db-cluster-snapshot", name = local.names.cluster_subscription }
    instance = { source_type = "db-snapshot", name = local.names.instance_subscription }
  }
  event_subscriptions = {
    for key, source in local.event_sources : key => merge(source, {
      categories = sort(distinct([
        for event in values(local.subscribed_events) : event.category if event.source_type == source.source_type
      ]))
    })
  }
  active_event_subscriptions = {
    for key, subscription in local.event_subscriptions : key => subscription if length(subscription.categories) > 0
  }
}

resource "aws_sns_topic" "events" {
  name              = local.names.event_topic
  kms_master_key_id = local.kms_key_arn

  tags = var.tags
}

data "aws_iam_policy_document" "event_topic" {
  statement {
    sid       = "RdsEventsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.events.arn]

    principals {
      type        = "Service"
      identifiers = ["events.rds.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "events" {
  arn    = aws_sns_topic.events.arn
  policy = data.aws_iam_policy_document.event_topic.json
}

resource "aws_db_event_subscription" "this" {
  for_each = local.active_event_subscriptions

  name             = each.value.name
  sns_topic        = aws_sns_topic.events.arn
  source_type      = each.value.source_type
  event_categories = each.value.categories
  enabled          = true

  tags = var.tags

  # CreateEventSubscription answers SNSNoAuthorization when RDS may not yet
  # publish to the topic or use its key.
  depends_on = [aws_sns_topic_policy.events, aws_kms_key.this]
}
