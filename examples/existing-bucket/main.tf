variable "region" {
  description = "Region of the databases to export; the bucket and key must be in it too."
  type        = string
  default     = "eu-west-1"
}

variable "bucket_name" {
  description = "Existing bucket, in var.region, to write the exports into."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of an existing symmetric customer managed KMS key in var.region."
  type        = string
}

provider "aws" {
  region = var.region
}

module "snapshot_export" {
  source = "../../"

  name_prefix = "acme-dr"

  # The module creates no bucket and no key; it writes under a prefix of the
  # existing bucket so the exports sit apart from what else it holds.
  bucket_name        = var.bucket_name
  kms_key_arn        = var.kms_key_arn
  s3_prefix_template = "rds-exports/{db}/{yyyy}/{mm}/{dd}"
}
