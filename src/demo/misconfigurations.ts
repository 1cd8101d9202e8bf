import type { Misconfiguration } from './target.js';

const AWS_GUIDE = 'https://docs.prismacloud.io/en/enterprise-edition/policy-reference/aws-policies';
const K8S_GUIDE = 'https://docs.prismacloud.io/en/enterprise-edition/policy-reference/kubernetes-policies/kubernetes-policy-index';

const BUCKET = `resource "aws_s3_bucket" "settlement_exports" {
  bucket = "acme-pay-settlement-exports"
  tags   = local.tags
}
`;

const DATABASE = `resource "aws_db_instance" "payments" {
  identifier          = "payments"
  engine              = "postgres"
  engine_version      = "15.4"
  instance_class      = "db.r6g.large"
  allocated_storage   = 200
  publicly_accessible = true
  storage_encrypted   = false
  multi_az            = false
}
`;

const BASTION_SG = `resource "aws_security_group" "bastion" {
  name   = "bastion"
  vpc_id = module.vpc.vpc_id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;

const BASTION = `resource "aws_instance" "bastion" {
  ami                    = data.aws_ami.al2023.id
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.bastion.id]
}
`;

const KEY = `resource "aws_kms_key" "payments" {
  description = "Payments data key"
}
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments-api
  namespace: payments
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: payments-api
          image: registry.acme-pay.example/payments-api:latest
          ports:
            - containerPort: 8080
`;

/** Checkov's failed checks on the Terraform and Kubernetes code in acme-pay/pay-infra. */
export const PAY_INFRA_MISCONFIGURATIONS: readonly Misconfiguration[] = [
  {
    framework: 'terraform', check: 'CKV_AWS_19', bcCheck: 'BC_AWS_S3_14', name: 'Ensure all data stored in the S3 bucket is securely encrypted at rest', severity: 'HIGH',
    file: '/terraform/s3.tf', resource: 'aws_s3_bucket.settlement_exports', lines: [1, 4], code: BUCKET, guideline: `${AWS_GUIDE}/s3-policies/s3-14-data-encrypted-at-rest`,
  },
  {
    framework: 'terraform', check: 'CKV_AWS_18', bcCheck: 'BC_AWS_S3_13', name: 'Ensure the S3 bucket has access logging enabled', severity: 'MEDIUM',
    file: '/terraform/s3.tf', resource: 'aws_s3_bucket.settlement_exports', lines: [1, 4], code: BUCKET, guideline: `${AWS_GUIDE}/s3-policies/s3-13-enable-logging`,
  },
  {
    framework: 'terraform', check: 'CKV_AWS_21', bcCheck: 'BC_AWS_S3_16', name: 'Ensure all data stored in the S3 bucket have versioning enabled', severity: 'LOW',
    file: '/terraform/s3.tf', resource: 'aws_s3_bucket.settlement_exports', lines: [1, 4], code: BUCKET, guideline: `${AWS_GUIDE}/s3-policies/s3-16-enable-versioning`,
  },
  {
    framework: 'terraform', check: 'CKV_AWS_16', bcCheck: 'BC_AWS_GENERAL_4', name: 'Ensure all data stored in the RDS is securely encrypted at rest', severity: 'HIGH',
    file: '/terraform/rds.tf', resource: 'aws_db_instance.payments', lines: [1, 10], code: DATABASE, guideline: `${AWS_GUIDE}/aws-general-policies/general-4`,
  },
  {
    framework: 'terraform', check: 'CKV_AWS_17', bcCheck: 'BC_AWS_PUBLIC_2', name: 'Ensure all data stored in RDS is not publicly accessible', severity: 'CRITICAL',
    file: '/terraform/rds.tf', resource: 'aws_db_instance.payments', lines: [1, 10], code: DATABASE, guideline: `${AWS_GUIDE}/public-policies/public-2`,
  },
  {
    framework: 'terraform', check: 'CKV_AWS_157', bcCheck: 'BC_AWS_GENERAL_73', name: 'Ensure that RDS instances have Multi-AZ enabled', severity: 'LOW',
    file: '/terraform/rds.tf', resource: 'aws_db_instance.payments', lines: [1, 10], code: DATABASE, guideline: `${AWS_GUIDE}/aws-general-policies/general-73`,
  },
  {
    framework: 'terraform', check: 'CKV_AWS_24', bcCheck: 'BC_AWS_NETWORKING_1', name: 'Ensure no security groups allow ingress from 0.0.0.0:0 to port 22', severity: 'HIGH',
    file: '/terraform/bastion.tf', resource: 'aws_security_group.bastion', lines: [1, 10], code: BASTION_SG, guideline: `${AWS_GUIDE}/aws-networking-policies/networking-1-port-security`,
  },
  {
    framework: 'terraform', check: 'CKV_AWS_79', bcCheck: 'BC_AWS_GENERAL_31', name: 'Ensure Instance Metadata Service Version 1 is not enabled', severity: 'HIGH',
    file: '/terraform/bastion.tf', resource: 'aws_instance.bastion', lines: [12, 16], code: BASTION, guideline: `${AWS_GUIDE}/aws-general-policies/bc-aws-general-31`,
  },
  {
    framework: 'terraform', check: 'CKV_AWS_7', bcCheck: 'BC_AWS_LOGGING_8', name: 'Ensure rotation for customer created CMKs is enabled', severity: 'MEDIUM',
    file: '/terraform/kms.tf', resource: 'aws_kms_key.payments', lines: [1, 3], code: KEY, guideline: `${AWS_GUIDE}/aws-logging-policies/logging-8`,
  },
  {
    framework: 'kubernetes', check: 'CKV_K8S_20', bcCheck: 'BC_K8S_19', name: 'Containers should not run with allowPrivilegeEscalation', severity: 'MEDIUM',
    file: '/k8s/payments-api/deployment.yaml', resource: 'Deployment.payments.payments-api', lines: [1, 15], code: DEPLOYMENT, guideline: `${K8S_GUIDE}/bc-k8s-19`,
  },
  {
    framework: 'kubernetes', check: 'CKV_K8S_28', bcCheck: 'BC_K8S_27', name: 'Minimize the admission of containers with the NET_RAW capability', severity: 'LOW',
    file: '/k8s/payments-api/deployment.yaml', resource: 'Deployment.payments.payments-api', lines: [1, 15], code: DEPLOYMENT, guideline: `${K8S_GUIDE}/bc-k8s-27`,
  },
  {
    framework: 'kubernetes', check: 'CKV_K8S_43', bcCheck: 'BC_K8S_39', name: 'Image should use digest', severity: 'LOW',
    file: '/k8s/payments-api/deployment.yaml', resource: 'Deployment.payments.payments-api', lines: [1, 15], code: DEPLOYMENT, guideline: `${K8S_GUIDE}/bc-k8s-39`,
  },
  {
    framework: 'kubernetes', check: 'CKV_K8S_8', bcCheck: 'BC_K8S_7', name: 'Liveness Probe Should be Configured', severity: 'LOW',
    file: '/k8s/payments-api/deployment.yaml', resource: 'Deployment.payments.payments-api', lines: [1, 15], code: DEPLOYMENT, guideline: `${K8S_GUIDE}/bc-k8s-7`,
  },
  {
    framework: 'kubernetes', check: 'CKV_K8S_22', bcCheck: 'BC_K8S_21', name: 'Use read-only filesystem for containers where possible', severity: 'MEDIUM',
    file: '/k8s/payments-api/deployment.yaml', resource: 'Deployment.payments.payments-api', lines: [1, 15], code: DEPLOYMENT, guideline: `${K8S_GUIDE}/bc-k8s-21`,
  },
];
