import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScope } from '../../src/domain/scope.js';
import type { Lantern } from '../../src/lantern.js';
import { bytes, trivyReport, type Vulnerability } from './reports.js';

/**
 * An estate where one target is shown by several entities, for the distinct counts of roll-ups,
 * the dashboard and the search across entities (src/api/routes/rollups.test.ts, test/browser/catalog-rollups.test.ts):
 *
 *   acme.shop:  Domain commerce; Systems checkout and storefront in it; Group team-shop owning all;
 *               shop-web (storefront) shows acme/shop-image and acme/shop-web;
 *               shop-api (checkout) shows acme/shop-image and acme/shop-api;
 *               cart (checkout) names acme/cart-typo, which matches nothing; a User and a Location.
 *   acme.other: other-api, in the checkout system of acme.shop, shows acme/other-api.
 *
 * Log4Shell (CVE-2021-44228) is in acme/shop-image, acme/shop-api and acme/other-api: three issues.
 */
export const LOG4SHELL = 'CVE-2021-44228';
const log4j = (version: string): Vulnerability => ({ id: LOG4SHELL, pkg: 'org.apache.logging.log4j:log4j-core', version, severity: 'CRITICAL', fixed: '2.15.0' });

export const ROLLUP_TARGETS: Record<string, { scope: string; vulnerabilities: Vulnerability[] }> = {
  'acme/shop-image': { scope: 'acme.shop', vulnerabilities: [log4j('2.14.1'), { id: 'CVE-2022-0778', pkg: 'openssl', version: '1.1.1k', severity: 'HIGH', fixed: '1.1.1n' }] },
  'acme/shop-web': { scope: 'acme.shop', vulnerabilities: [{ id: 'CVE-2022-24785', pkg: '=cmd|moment', version: '2.29.1', severity: 'MEDIUM' }] },
  'acme/shop-api': { scope: 'acme.shop', vulnerabilities: [log4j('2.14.1'), { id: 'CVE-2022-22965', pkg: 'spring-beans', version: '5.3.17', severity: 'LOW' }] },
  'acme/other-api': { scope: 'acme.other', vulnerabilities: [log4j('2.13.0')] },
};

const component = (name: string, system: string, targets: string[]) =>
  [
    'apiVersion: backstage.io/v1alpha1',
    'kind: Component',
    'metadata:',
    `  name: ${name}`,
    '  annotations:',
    '    harness.io/sto-test-target:',
    ...targets.map((t) => `      - name: ${t}`),
    'spec:',
    '  type: service',
    '  lifecycle: production',
    '  owner: group:default/team-shop',
    `  system: system:default/${system}`,
    '',
  ].join('\n');

const SHOP = [
  'apiVersion: backstage.io/v1alpha1\nkind: Domain\nmetadata:\n  name: commerce\nspec:\n  owner: team-shop\n',
  'apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: checkout\nspec:\n  owner: team-shop\n  domain: commerce\n',
  'apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: storefront\nspec:\n  owner: team-shop\n  domain: commerce\n',
  'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-shop\nspec:\n  type: team\n  children: []\n',
  'apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: ada\nspec:\n  memberOf: [team-shop]\n',
  component('shop-web', 'storefront', ['acme/shop-image', 'acme/shop-web']),
  component('shop-api', 'checkout', ['acme/shop-image', 'acme/shop-api']),
  component('cart', 'checkout', ['acme/cart-typo']),
].join('---\n');

const OTHER = component('other-api', 'checkout', ['acme/other-api']);

/** Registers the two catalog files and ingests one Trivy scan per target; returns a cleanup. */
export async function buildRollupEstate(lantern: Lantern): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-rollups-'));
  for (const [name, text, scope] of [
    ['shop', SHOP, 'acme.shop'],
    ['other', OTHER, 'acme.other'],
  ] as const) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'catalog-info.yaml'), text);
    await lantern.registerLocation(join(dir, name), parseScope(scope));
  }
  for (const [target, { scope, vulnerabilities }] of Object.entries(ROLLUP_TARGETS)) {
    await lantern.ingest({ report: bytes(trivyReport(vulnerabilities)), source: 'trivy.json', target, targetType: 'container', variant: 'latest', scope: parseScope(scope), baseline: true });
  }
  return () => rmSync(dir, { recursive: true, force: true });
}
