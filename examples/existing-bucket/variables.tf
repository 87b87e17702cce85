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
