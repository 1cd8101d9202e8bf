import { CHECKOUT_WEB_CODE, FRAUD_DETECTOR_CODE, PAYMENTS_API_CODE, PLATFORM_CODE } from './code-findings.js';
import { CHECKOUT_WEB_ALERTS, PAYMENTS_API_ALERTS } from './dast-alerts.js';
import { PAY_INFRA_MISCONFIGURATIONS } from './misconfigurations.js';
import { NOTIFICATIONS_SECRETS, PAYMENTS_API_SECRETS, PLATFORM_SECRETS } from './secrets.js';
import type { DemoTarget } from './target.js';

const REGISTRY = 'registry.acme-pay.example';

/**
 * The test targets of the demo estate, named as examples/demo/catalog links them: each
 * annotation entry and repository URL there names one of these, except the one deliberate typo.
 * Together they are scanned by every supported format.
 */
export const DEMO_TARGETS: readonly DemoTarget[] = [
  {
    name: 'acme-pay/payments-api', scope: 'acme.pay', type: 'repository', baseline: 'main', other: 'feature/refund-webhooks',
    formats: ['snyk', 'semgrep', 'gitleaks'],
    ecosystems: ['maven'],
    repository: { url: 'https://github.com/acme-pay/payments-api', manifests: { maven: 'pom.xml' }, project: 'com.acmepay:payments-api@2.7.0', semgrepLoggedIn: true },
    code: PAYMENTS_API_CODE,
    secrets: PAYMENTS_API_SECRETS,
  },
  {
    name: `${REGISTRY}/payments-api`, scope: 'acme.pay', type: 'container', baseline: 'latest', other: '2.8.0-rc.1',
    formats: ['trivy', 'grype'],
    ecosystems: ['alpine', 'maven'],
    image: { os: { family: 'alpine', version: '3.18.4' }, paths: { maven: 'app/payments-api.jar' } },
  },
  {
    name: 'https://api.acme-pay.example', scope: 'acme.appsec', type: 'instance', baseline: 'production', other: 'staging', setBaseline: true,
    formats: ['generic'],
    site: 'https://api.acme-pay.example',
    alerts: PAYMENTS_API_ALERTS,
  },
  {
    name: 'acme-pay/pay-infra', scope: 'account', type: 'configuration', baseline: 'main', other: 'feature/rds-encryption',
    formats: ['checkov'],
    repository: { url: 'https://github.com/acme-pay/pay-infra', manifests: {}, project: 'pay-infra' },
    misconfigurations: PAY_INFRA_MISCONFIGURATIONS,
  },
  {
    name: 'acme-pay/fraud-detector', scope: 'acme.pay', type: 'repository', baseline: 'main', other: 'feature/graph-scoring',
    formats: ['osv', 'sarif'],
    ecosystems: ['pypi'],
    repository: { url: 'https://bitbucket.org/acme-pay/fraud-detector', manifests: { pypi: 'poetry.lock' }, project: 'fraud-detector' },
    code: FRAUD_DETECTOR_CODE,
  },
  {
    name: `${REGISTRY}/fraud-detector`, scope: 'acme.pay', type: 'container', baseline: 'latest', other: '3.1.0',
    formats: ['aqua'],
    ecosystems: ['debian', 'pypi'],
    image: { os: { family: 'debian', version: '12.2' }, paths: { pypi: 'usr/local/lib/python3.11/site-packages' } },
  },
  {
    name: 'acme-pay/web/storefront/checkout-web', scope: 'acme.pay', type: 'repository', baseline: 'main', other: 'feature/apple-pay',
    formats: ['osv', 'sarif'],
    ecosystems: ['npm'],
    repository: { url: 'https://gitlab.com/acme-pay/web/storefront/checkout-web', manifests: { npm: 'package-lock.json' }, project: 'checkout-web' },
    code: CHECKOUT_WEB_CODE,
  },
  {
    name: 'https://checkout.acme-pay.example', scope: 'acme.appsec', type: 'instance', baseline: 'production', other: 'staging', setBaseline: true,
    formats: ['generic'],
    site: 'https://checkout.acme-pay.example',
    alerts: CHECKOUT_WEB_ALERTS,
  },
  {
    name: 'acme-pay/platform', scope: 'acme.platform', type: 'repository', baseline: 'main', other: 'feature/ledger-v2',
    formats: ['semgrep', 'gitleaks', 'osv'],
    ecosystems: ['go'],
    repository: {
      url: 'https://github.com/acme-pay/platform',
      manifests: { go: 'go.mod' },
      project: 'github.com/acme-pay/platform',
      semgrepErrors: [{ path: 'deploy/helm/ledger/templates/deployment.yaml', message: 'Syntax error at line deploy/helm/ledger/templates/deployment.yaml:7:\n `{{` was unexpected' }],
    },
    code: PLATFORM_CODE,
    secrets: PLATFORM_SECRETS,
  },
  {
    name: `${REGISTRY}/ledger`, scope: 'acme.platform', type: 'container', baseline: 'latest', other: '4.3.0-beta.1',
    formats: ['trivy', 'grype'],
    ecosystems: ['debian', 'go', 'go-stdlib'],
    image: { os: { family: 'debian', version: '12.2' }, paths: { go: 'usr/local/bin/ledger', 'go-stdlib': 'usr/local/bin/ledger' } },
  },
  {
    name: 'acme/platform/notifications', scope: 'acme.platform', type: 'repository', baseline: 'main', other: 'feature/sms-fallback',
    formats: ['snyk', 'gitleaks'],
    ecosystems: ['npm'],
    repository: {
      url: 'https://app.harness.io/ng/account/AcmePayAccount/module/code/orgs/acme/projects/platform/repos/notifications',
      manifests: { npm: 'package-lock.json' },
      project: 'notifications@1.11.0',
    },
    secrets: NOTIFICATIONS_SECRETS,
  },
  {
    name: `${REGISTRY}/notifications`, scope: 'acme.platform', type: 'container', baseline: 'latest', other: '1.12.0',
    formats: ['grype'],
    ecosystems: ['alpine', 'npm'],
    image: { os: { family: 'alpine', version: '3.18.4' }, paths: { npm: 'app/node_modules' } },
  },
];
