variable "scanner_principal_arn" {
  description = "ARN of the identity leash runs as in the scanning account (a role or user); it may assume the scanner role"
  type        = string
}

variable "external_id" {
  description = "External id the scanner must present when assuming the role (empty: none required)"
  type        = string
  default     = ""
}

variable "role_name" {
  description = "Name of the scanner role in every account (leash scan --org --role-name)"
  type        = string
  default     = "leash-scanner"
}

variable "organizational_unit_ids" {
  description = "OUs (or the root id) whose accounts get the role; new accounts there get it automatically"
  type        = list(string)
}

variable "stack_set_name" {
  description = "Name of the CloudFormation StackSet"
  type        = string
  default     = "leash-scanner"
}

variable "stack_set_region" {
  description = "Region the StackSet instances run in (IAM is global: one region is enough)"
  type        = string
  default     = "us-east-1"
}

variable "create_in_management_account" {
  description = "Also create the role in the account this module is applied in (service-managed StackSets never deploy to the management account)"
  type        = bool
  default     = true
}
