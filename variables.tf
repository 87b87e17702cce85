# Naming

variable "name_prefix" {
  description = <<-EOT
    Prefix of every resource name, for example "acme-prod". It starts with a letter, holds lowercase letters, digits and single hyphens, does not end with a hyphen, and is at most 24 characters: the bucket name "<prefix>-exports-<12-digit account ID>-<region>" adds 9 + 12 + 1 + 14 (the longest region names today) = 36 characters, S3 allows 63, and 24 + 36 = 60 leaves room for a longer region name. Every other derived name is shorter than its limit (the longest IAM role name, "<prefix>-snapshot-export-scheduler", is 24 + 26 = 50 of 64).
  EOT
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*$", var.name_prefix))
    error_message = "name_prefix must start with a lowercase letter and contain only lowercase letters, digits and hyphens."
  }

  validation {
    condition     = !endswith(var.name_prefix, "-") && !strcontains(var.name_prefix, "--")
    error_message = "name_prefix must not end with a hyphen or contain two hyphens in a row."
  }

  validation {
    condition     = length(var.name_prefix) <= 24
    error_message = "name_prefix must be at most 24 characters so the bucket name \"<prefix>-exports-<account>-<region>\" stays within S3's 63."
  }
}

# What to export

variable "event_ids" {
  description = "RDS event IDs that start an export: any of the snapshot-created events in settings.json (RDS-EVENT-0169 and RDS-EVENT-0075 automated and manual cluster snapshots, RDS-EVENT-0091 and RDS-EVENT-0042 automated and manual instance snapshots, RDS-EVENT-0197 and RDS-EVENT-0060 snapshot copies). Other IDs are rejected at plan with the allowed list."
  type        = list(string)
  default     = ["RDS-EVENT-0169", "RDS-EVENT-0091"]
  nullable    = false

  validation {
    condition     = length(var.event_ids) > 0
    error_message = "event_ids must name at least one snapshot-created event ID."
  }

  validation {
    condition     = length(distinct(var.event_ids)) == length(var.event_ids)
    error_message = "event_ids must not repeat an event ID."
  }
}

variable "db_identifiers" {
  description = "DB cluster and instance identifiers whose snapshots are exported. Empty exports every cluster and instance in the region."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for id in var.db_identifiers : can(regex("^[A-Za-z][A-Za-z0-9-]{0,62}$", id))])
    error_message = "db_identifiers must be RDS identifiers: a letter, then up to 62 letters, digits or hyphens."
  }
}

variable "s3_prefix_template" {
  description = "Key prefix of each export inside the bucket. Placeholders: {db} (cluster or instance identifier), {snapshot} (the whole snapshot name with ':' and '/' replaced by hyphens, since an export prefix cannot hold ':' and the name must stay one path segment: \"rds:orders-2026-12-03-03-09\" gives \"rds-orders-2026-12-03-03-09\"), {yyyy} {mm} {dd} {hh} (snapshot creation time, UTC). RDS writes the export under <prefix>/<export task ID>/. S3 prefixes for exports may not contain ':'."
  type        = string
  default     = "{db}/{yyyy}/{mm}/{dd}"
  nullable    = false

  validation {
    condition     = !strcontains(var.s3_prefix_template, ":")
    error_message = "s3_prefix_template must not contain ':'; RDS does not accept it in an export's S3 prefix."
  }

  validation {
    condition     = !can(regex("[{}]", replace(var.s3_prefix_template, "/\\{(db|snapshot|yyyy|mm|dd|hh)\\}/", "")))
    error_message = "s3_prefix_template may use only the placeholders {db}, {snapshot}, {yyyy}, {mm}, {dd} and {hh}."
  }

  validation {
    condition     = !startswith(var.s3_prefix_template, "/")
    error_message = "s3_prefix_template must not start with '/'; S3 keys would begin with an empty path segment."
  }
}

variable "export_only" {
  description = "Parts of each snapshot to export (StartExportTask ExportOnly): \"database\", \"database.table\" (MySQL, MariaDB) or \"database.schema\" / \"database.schema.table\" (PostgreSQL). Empty exports everything."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for item in var.export_only : can(regex("^[^.\\s]+(\\.[^.\\s]+){0,2}$", item))])
    error_message = "export_only entries must be one to three dot-separated names without spaces, such as \"orders\" or \"orders.public.items\"."
  }
}

# Export pacing

variable "max_concurrent_exports" {
  description = "Export tasks this module lets run at once. RDS allows five in progress per account; lower it to leave room for other exporters in the account."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.max_concurrent_exports >= 1 && var.max_concurrent_exports <= 5 && floor(var.max_concurrent_exports) == var.max_concurrent_exports
    error_message = "max_concurrent_exports must be a whole number from 1 to 5 (RDS's limit of export tasks in progress per account)."
  }
}

variable "backoff_base_seconds" {
  description = "First delay before a snapshot that found no free export slot is tried again; the delay doubles with each deferral up to backoff_max_seconds."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = var.backoff_base_seconds >= 1 && var.backoff_base_seconds <= 3600 && floor(var.backoff_base_seconds) == var.backoff_base_seconds
    error_message = "backoff_base_seconds must be a whole number from 1 to 3600."
  }
}

variable "backoff_max_seconds" {
  description = "Longest delay between two tries of a deferred snapshot. The default of 900 seconds keeps export slots busy: with a longer cap, a waiting snapshot sleeps through slots that free up near the end of a burst (the benchmark in the README measures it). Delays over 900 seconds (SQS's maximum message delay) are served in several hops, so a longer cap saves no requests."
  type        = number
  default     = 900
  nullable    = false

  validation {
    condition     = var.backoff_max_seconds >= 1 && var.backoff_max_seconds <= 86400 && floor(var.backoff_max_seconds) == var.backoff_max_seconds
    error_message = "backoff_max_seconds must be a whole number from 1 to 86400."
  }
}

variable "max_wait_hours" {
  description = "How long a snapshot may wait for an export slot before it is sent to the dead-letter queue (and the dead-letter alarm fires)."
  type        = number
  default     = 72
  nullable    = false

  validation {
    condition     = var.max_wait_hours >= 1 && var.max_wait_hours <= 720 && floor(var.max_wait_hours) == var.max_wait_hours
    error_message = "max_wait_hours must be a whole number from 1 to 720."
  }
}

# Storage and encryption

variable "bucket_name" {
  description = "Name of an existing bucket, in this region, to export into. null creates an encrypted, versioned, private bucket; with a name the module creates no bucket resources and the bucket's owner keeps its encryption, policy and lifecycle."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit."
  }
}

variable "bucket_lifecycle" {
  description = "Lifecycle of the created bucket (ignored with bucket_name): transitions of current objects, expiration_days (null keeps exports), days before noncurrent versions expire, and days before incomplete multipart uploads are aborted."
  type = object({
    transitions = optional(list(object({
      days          = number
      storage_class = string
    })), [{ days = 30, storage_class = "STANDARD_IA" }, { days = 90, storage_class = "GLACIER_IR" }])
    expiration_days                        = optional(number)
    noncurrent_version_expiration_days     = optional(number, 30)
    abort_incomplete_multipart_upload_days = optional(number, 7)
  })
  default  = {}
  nullable = false

  validation {
    condition = alltrue([
      for t in var.bucket_lifecycle.transitions :
      contains(["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], t.storage_class)
    ])
    error_message = "bucket_lifecycle.transitions storage_class must be one of STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE."
  }

  validation {
    condition = alltrue([
      for t in var.bucket_lifecycle.transitions :
      t.days >= (contains(["STANDARD_IA", "ONEZONE_IA"], t.storage_class) ? 30 : 0)
    ])
    error_message = "bucket_lifecycle.transitions to STANDARD_IA or ONEZONE_IA need days of 30 or more; S3 rejects earlier ones."
  }

  validation {
    # coalesce keeps a null expiration (keep exports) valid without relying on
    # short-circuit evaluation.
    condition = alltrue(concat(
      [coalesce(var.bucket_lifecycle.expiration_days, 1) >= 1],
      [for t in var.bucket_lifecycle.transitions : coalesce(var.bucket_lifecycle.expiration_days, t.days + 1) > t.days],
    ))
    error_message = "bucket_lifecycle.expiration_days must be null or at least 1 and later than every transition."
  }

  validation {
    condition     = var.bucket_lifecycle.noncurrent_version_expiration_days >= 1 && var.bucket_lifecycle.abort_incomplete_multipart_upload_days >= 1
    error_message = "bucket_lifecycle.noncurrent_version_expiration_days and abort_incomplete_multipart_upload_days must be at least 1."
  }
}

variable "kms_key_arn" {
  description = "ARN of an existing symmetric customer managed KMS key, in this region, for the bucket, topics, queues and exports. null creates a key with rotation. With an existing key the module cannot change its policy: add the statements of the kms_key_policy_json output to it."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a key ARN (arn:aws:kms:<region>:<account>:key/<key id>); RDS exports and IAM policies need the key itself, not an alias."
  }
}

# Tracking and monitoring

variable "enable_export_tracking" {
  description = "Subscribe to the export completed, failed and canceled events so the function records ExportsCompleted and ExportsFailed metrics, logs failure causes and notifies the notification topic. Turning it off also drops the two export alarms."
  type        = bool
  default     = true
  nullable    = false
}

variable "notify_on_completed_exports" {
  description = "Also publish a message to the notification topic for every export that completes, not only for failures. Off by default: the topic is meant for people, and one message per database per day would bury the failures. Completed exports always emit the ExportsCompleted metric."
  type        = bool
  default     = false
  nullable    = false
}

variable "notification_topic_arn" {
  description = "ARN of an existing SNS topic for alarms and export failure notifications. null creates an encrypted topic when alarms or tracking are on. An existing topic's policy and key must let cloudwatch.amazonaws.com and the function role publish."
  type        = string
  default     = null

  validation {
    condition     = var.notification_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.notification_topic_arn))
    error_message = "notification_topic_arn must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)."
  }
}

variable "create_alarms" {
  description = "Create CloudWatch alarms, each notifying the notification topic on alarm and on recovery: messages in the dead-letter queue, function errors, and with tracking on, failed exports and, when an automated snapshot event is selected, no completed export within completed_export_alarm_hours."
  type        = bool
  default     = true
  nullable    = false
}

variable "completed_export_alarm_hours" {
  description = "Hours without a completed export before the no-exports-completed alarm fires. CloudWatch evaluates at most 7 days (168 one-hour periods). The alarm exists only when alarms and tracking are on and event_ids selects at least one automated snapshot event (RDS-EVENT-0169 or RDS-EVENT-0091, snapshot_type \"automated\" in settings.json): manual snapshots and copies come irregularly, so with those alone the alarm would always fire."
  type        = number
  default     = 48
  nullable    = false

  validation {
    condition     = var.completed_export_alarm_hours >= 1 && var.completed_export_alarm_hours <= 168 && floor(var.completed_export_alarm_hours) == var.completed_export_alarm_hours
    error_message = "completed_export_alarm_hours must be a whole number from 1 to 168 (CloudWatch's 7-day evaluation limit)."
  }
}

# Sweep

variable "enable_sweep" {
  description = "Run a scheduled sweep that queues snapshots of the last sweep_lookback_hours that were never exported, because RDS delivers events on a best-effort basis."
  type        = bool
  default     = true
  nullable    = false
}

variable "sweep_schedule_expression" {
  description = "EventBridge Scheduler expression of the sweep, rate(...) or cron(...), in UTC. Keep the interval shorter than sweep_lookback_hours so consecutive sweeps overlap."
  type        = string
  default     = "rate(1 day)"
  nullable    = false

  validation {
    condition     = can(regex("^(rate|cron)\\(.+\\)$", var.sweep_schedule_expression))
    error_message = "sweep_schedule_expression must be an EventBridge Scheduler rate(...) or cron(...) expression."
  }
}

variable "sweep_lookback_hours" {
  description = "How far back, in hours, the sweep looks for snapshots that were never exported."
  type        = number
  default     = 72
  nullable    = false

  validation {
    condition     = var.sweep_lookback_hours >= 1 && var.sweep_lookback_hours <= 840 && floor(var.sweep_lookback_hours) == var.sweep_lookback_hours
    error_message = "sweep_lookback_hours must be a whole number from 1 to 840 (35 days, the longest automated backup retention)."
  }
}

# Function

variable "lambda_memory_size" {
  description = "Memory of the function in MB."
  type        = number
  default     = 256
  nullable    = false

  validation {
    condition     = var.lambda_memory_size >= 128 && var.lambda_memory_size <= 10240 && floor(var.lambda_memory_size) == var.lambda_memory_size
    error_message = "lambda_memory_size must be a whole number from 128 to 10240 (Lambda's limits)."
  }
}

variable "lambda_timeout" {
  description = "Timeout of the function in seconds. It must stay below the queue's visibility timeout (900 seconds in settings.json); AWS recommends a visibility timeout of six times the function timeout, which the default keeps."
  type        = number
  default     = 120
  nullable    = false

  validation {
    condition     = var.lambda_timeout >= 1 && var.lambda_timeout <= 900 && floor(var.lambda_timeout) == var.lambda_timeout
    error_message = "lambda_timeout must be a whole number from 1 to 900 (Lambda's limit)."
  }
}

variable "reserved_concurrent_executions" {
  description = "Concurrency reserved for the function. null leaves it unreserved; a value must be at least the event source mapping's maximum concurrency (2 in settings.json) or Lambda throttles queue batches."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrent_executions == null || (coalesce(var.reserved_concurrent_executions, 1) >= 1 && floor(coalesce(var.reserved_concurrent_executions, 1)) == coalesce(var.reserved_concurrent_executions, 1))
    error_message = "reserved_concurrent_executions must be null or a whole number of at least 1."
  }
}

variable "log_retention_in_days" {
  description = "Days CloudWatch Logs keeps the function's log group."
  type        = number
  default     = 365
  nullable    = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of CloudWatch Logs' values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_level" {
  description = "Level of the function's application logs: DEBUG, INFO, WARNING or ERROR. The function filters its own records by it; Lambda's application log level stays INFO (DEBUG at DEBUG) because Lambda treats the function's metric lines, which carry no level, as INFO and would drop them at WARN or ERROR."
  type        = string
  default     = "INFO"
  nullable    = false

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "enable_tracing" {
  description = "Trace the function with AWS X-Ray (active tracing)."
  type        = bool
  default     = true
  nullable    = false
}

# Tags

variable "tags" {
  description = "Tags for every taggable resource, in addition to the provider's default_tags."
  type        = map(string)
  default     = {}
  nullable    = false
}
