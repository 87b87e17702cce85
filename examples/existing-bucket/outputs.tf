output "kms_key_policy_json" {
  description = "Key policy with the statements the existing key's policy needs; merge its service and role statements into that key's policy."
  value       = module.snapshot_export.kms_key_policy_json
}

output "export_role_arn" {
  description = "Role RDS assumes to write into the bucket; a bucket policy must not deny it."
  value       = module.snapshot_export.export_role_arn
}

output "function_role_arn" {
  description = "Execution role of the export function, named in the key policy statements."
  value       = module.snapshot_export.function_role_arn
}

output "function_name" {
  description = "Name of the export function."
  value       = module.snapshot_export.function_name
}
