import type { DemoScan } from '../scan.js';
import type { Misconfiguration } from '../target.js';

const FRAMEWORKS = ['terraform', 'kubernetes'] as const;

/** Checks that pass in every scan: Checkov lists passed checks too, which are not issues. */
const PASSED: Record<(typeof FRAMEWORKS)[number], Array<{ id: string; name: string; file: string; resource: string }>> = {
  terraform: [
    { id: 'CKV_AWS_20', name: 'S3 Bucket has an ACL defined which allows public READ access.', file: '/terraform/s3.tf', resource: 'aws_s3_bucket.settlement_exports' },
    { id: 'CKV_AWS_133', name: 'Ensure that RDS instances has backup policy', file: '/terraform/rds.tf', resource: 'aws_db_instance.payments' },
  ],
  kubernetes: [{ id: 'CKV_K8S_16', name: 'Container should not be privileged', file: '/k8s/payments-api/deployment.yaml', resource: 'Deployment.payments.payments-api' }],
};

/**
 * `checkov --directory . --output json` with two frameworks: a list of one report per framework.
 * One check is skipped with a suppression comment, which Lantern counts as suppressed.
 */
export function writeCheckov(scan: DemoScan): unknown {
  const version = '3.1.46';
  return FRAMEWORKS.map((framework) => {
    const failed = scan.misconfigurations.filter((m) => m.framework === framework);
    const passed = PASSED[framework].map((p) => ({
      check_id: p.id,
      bc_check_id: null,
      check_name: p.name,
      check_result: { result: 'PASSED' },
      file_path: p.file,
      repo_file_path: p.file,
      resource: p.resource,
    }));
    const skipped =
      framework === 'terraform'
        ? [
            {
              check_id: 'CKV2_AWS_62',
              check_name: 'Ensure S3 buckets should have event notifications enabled',
              check_result: { result: 'SKIPPED', suppress_comment: 'Exports are polled by the settlement job, not pushed' },
              file_path: '/terraform/s3.tf',
              resource: 'aws_s3_bucket.settlement_exports',
            },
          ]
        : [];
    return {
      check_type: framework,
      results: { passed_checks: passed, failed_checks: failed.map(check), skipped_checks: skipped, parsing_errors: [] },
      summary: {
        passed: passed.length,
        failed: failed.length,
        skipped: skipped.length,
        parsing_errors: 0,
        resource_count: new Set([...failed.map((f) => f.resource), ...passed.map((p) => p.resource)]).size,
        checkov_version: version,
      },
      url: 'Add an api key \'--bc-api-key <api-key>\' to see more detailed insights via https://bridgecrew.cloud',
    };
  });
}

function check(m: Misconfiguration) {
  const first = m.lines[0];
  return {
    check_id: m.check,
    bc_check_id: m.bcCheck,
    check_name: m.name,
    check_result: { result: 'FAILED', evaluated_keys: [] },
    code_block: m.code
      .split('\n')
      .filter((line, i, all) => i < all.length - 1 || line !== '')
      .map((line, i) => [first + i, `${line}\n`]),
    file_path: m.file,
    file_abs_path: `/harness/pay-infra${m.file}`,
    repo_file_path: m.file,
    file_line_range: m.lines,
    resource: m.resource,
    evaluations: null,
    check_class: `checkov.${m.framework}.checks.resource`,
    fixed_definition: null,
    entity_tags: null,
    caller_file_path: null,
    caller_file_line_range: null,
    resource_address: m.framework === 'terraform' ? m.resource : null,
    severity: m.severity,
    bc_category: null,
    benchmarks: null,
    description: null,
    short_description: null,
    vulnerability_details: null,
    connected_node: null,
    guideline: m.guideline,
    details: [],
    check_len: null,
  };
}
