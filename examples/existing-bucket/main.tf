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
