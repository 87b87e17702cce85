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
      # Glob patterns in archive_file's excludes (to leave out __pycache__)
      # arrived in 2.5.0; earlier versions match excludes as literal paths.
      version = ">= 2.5"
    }
  }
}
