variable "region" {
  description = "Region of the databases to export; the bucket and key are created there too."
  type        = string
  default     = "eu-west-1"
}

variable "alert_email" {
  description = "Address that receives alarms and export failure notifications; null subscribes nobody."
  type        = string
  default     = null
}
