output "stack_set_name" {
  value = aws_cloudformation_stack_set.leash_scanner.name
}

output "role_name" {
  description = "Pass to leash scan --org --role-name"
  value       = var.role_name
}
