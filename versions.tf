terraform {
  # mock_provider in the module's tests needs 1.7.
  required_version = ">= 1.7"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0"
    }
    archive = {
      source = "hashicorp/archive"
      # 2.4 added glob patterns to archive_file's excludes.
      version = ">= 2.4"
    }
  }
}
