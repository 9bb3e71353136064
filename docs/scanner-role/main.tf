# The leash scanner role in every member account: a service-managed CloudFormation StackSet
# (auto-deployed to new accounts of the OUs) with the template beside this file, and the same
# role created directly in the management account, which StackSets skip.
# scanner-role.stackset.yaml and scanner-policy.member.json are generated from
# docs/scanner-policy.json by scripts/render-scanner-role.ts; a test keeps them in sync.

resource "aws_cloudformation_stack_set" "leash_scanner" {
  name             = var.stack_set_name
  description      = "leash read-only scanner role"
  permission_model = "SERVICE_MANAGED"
  capabilities     = ["CAPABILITY_NAMED_IAM"]
  template_body    = file("${path.module}/scanner-role.stackset.yaml")

  parameters = {
    ScannerPrincipalArn = var.scanner_principal_arn
    ExternalId          = var.external_id
    RoleName            = var.role_name
  }

  auto_deployment {
    enabled                          = true
    retain_stacks_on_account_removal = false
  }

  lifecycle {
    ignore_changes = [administration_role_arn]
  }
}

resource "aws_cloudformation_stack_set_instance" "leash_scanner" {
  stack_set_name = aws_cloudformation_stack_set.leash_scanner.name
  region         = var.stack_set_region

  deployment_targets {
    organizational_unit_ids = var.organizational_unit_ids
  }
}

locals {
  trust_statement = {
    Effect    = "Allow"
    Principal = { AWS = var.scanner_principal_arn }
    Action    = "sts:AssumeRole"
  }
  trust_policy = var.external_id == "" ? jsonencode({
    Version   = "2012-10-17"
    Statement = [local.trust_statement]
    }) : jsonencode({
    Version   = "2012-10-17"
    Statement = [merge(local.trust_statement, { Condition = { StringEquals = { "sts:ExternalId" = var.external_id } } })]
  })
}

resource "aws_iam_role" "management_account" {
  count                = var.create_in_management_account ? 1 : 0
  name                 = var.role_name
  description          = "Read-only role leash assumes to scan this account"
  max_session_duration = 3600
  assume_role_policy   = local.trust_policy
  tags = {
    managed-by = "leash-scanner-terraform"
  }
}

resource "aws_iam_role_policy" "management_account" {
  count  = var.create_in_management_account ? 1 : 0
  name   = "leash-read-only"
  role   = aws_iam_role.management_account[0].id
  policy = file("${path.module}/scanner-policy.member.json")
}
