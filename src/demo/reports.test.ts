import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { severityFromScore } from '../domain/severity.js';
import { cvssBaseScore } from '../formats/cvss.js';
import { parseReport } from '../formats/index.js';
import { ADVISORIES } from './advisories.js';
import { BASELINE_SCANS, OTHER_SCANS } from './history.js';
import { DEMO_SEED, demoReports } from './reports.js';
import { DEMO_FORMATS } from './target.js';
import { DEMO_TARGETS } from './targets.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const reports = demoReports({ now: NOW });
const digest = (rs: readonly { file: string; content: string }[]) => createHash('sha256').update(rs.map((r) => `${r.file}\n${r.content}`).join('\n')).digest('hex');

describe('demoReports', () => {
  it('writes the same bytes for the same seed and day, other bytes for another seed, and moves with the day', () => {
    expect(digest(demoReports({ now: NOW }))).toBe(digest(reports));
    expect(digest(demoReports({ now: NOW, seed: DEMO_SEED + 1 }))).not.toBe(digest(reports));
    const dayLater = demoReports({ now: new Date(NOW.getTime() + 86_400_000) });
    expect(dayLater.map((r) => Date.parse(r.scannedAt) - Date.parse(reports[dayLater.indexOf(r)]?.scannedAt ?? ''))).toEqual(dayLater.map(() => 86_400_000));
  });

  it('scans every target six times on its baseline and twice on the other variant, with each of its scanners', () => {
    for (const target of DEMO_TARGETS) {
      const own = reports.filter((r) => r.target === target.name);
      expect(own.filter((r) => r.variant === target.baseline)).toHaveLength(BASELINE_SCANS * target.formats.length);
      expect(own.filter((r) => r.variant === target.other)).toHaveLength(OTHER_SCANS * target.formats.length);
    }
    expect(reports).toHaveLength(DEMO_TARGETS.reduce((n, t) => n + (BASELINE_SCANS + OTHER_SCANS) * t.formats.length, 0));
  });

  it('produces every supported format, each detected as itself and read without errors', () => {
    expect(new Set(reports.map((r) => r.format))).toEqual(new Set(DEMO_FORMATS));
    for (const report of reports) {
      const parsed = parseReport(report.content, { source: report.file });
      expect(parsed.format, report.file).toBe(report.format);
      const findings = [...parsed.findings];
      expect(findings.length, report.file).toBeGreaterThan(0);
      // The one error is the one Semgrep reports about its own run on the platform repository's Helm template.
      expect(parsed.errors.filter((e) => !e.includes('deploy/helm/ledger/templates/deployment.yaml')), report.file).toEqual([]);
    }
  });

  it('never gives Lantern the same report twice for one variant, which it would take as one scan uploaded again', () => {
    const seen = new Map<string, string>();
    for (const report of reports) {
      const key = `${report.target}\u0000${report.variant}\u0000${createHash('sha256').update(report.content).digest('hex')}`;
      expect(seen.get(key), report.file).toBeUndefined();
      seen.set(key, report.file);
    }
  });

  it('dates the scans over the four weeks before the day it runs, in order', () => {
    const times = reports.map((r) => Date.parse(r.scannedAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Math.min(...times)).toBeGreaterThan(NOW.getTime() - 28 * 86_400_000);
    expect(Math.max(...times)).toBeLessThan(NOW.getTime());
    expect(new Set(reports.map((r) => r.scannedAt.slice(0, 10))).size).toBeGreaterThanOrEqual(BASELINE_SCANS + OTHER_SCANS);
  });

  it('finds new and fixed issues between scans of a variant', () => {
    // Fingerprints per target variant and scanner, scan after scan: some come, some go.
    let appeared = 0;
    let fixed = 0;
    const previous = new Map<string, Set<string>>();
    for (const report of reports) {
      const parsed = parseReport(report.content, { source: report.file });
      const now = new Set([...parsed.findings].map((f) => f.fingerprint));
      const key = `${report.target}|${report.variant}|${report.format}`;
      const before = previous.get(key);
      if (before) {
        appeared += [...now].filter((f) => !before.has(f)).length;
        fixed += [...before].filter((f) => !now.has(f)).length;
      }
      previous.set(key, now);
    }
    expect(appeared).toBeGreaterThan(0);
    expect(fixed).toBeGreaterThan(0);
  });

  it('plants only secrets that are obviously fake, and Gitleaks reports them in clear for Lantern to mask', () => {
    const secrets = reports.filter((r) => r.format === 'gitleaks').flatMap((r) => (JSON.parse(r.content) as Array<{ Secret: string }>).map((leak) => leak.Secret));
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(secret).toMatch(/DEMO|FAKE|deadbeef|demo_fake/);
    for (const report of reports.filter((r) => r.format === 'gitleaks')) {
      for (const finding of parseReport(report.content, { source: report.file }).findings) {
        expect(JSON.stringify(finding)).not.toMatch(/DEMO[A-Z0-9]{6,}|FAKEdemo|deadbeef[0-9a-f]|demo_fake_/);
      }
    }
  });

  it('refuses a target whose scanner needs contents it does not have', () => {
    const bare = { name: 'acme/bare', scope: 'acme.pay', type: 'repository' as const, baseline: 'main', other: 'dev' };
    expect(() => demoReports({ now: NOW, targets: [{ ...bare, formats: ['trivy'] }] })).toThrow('The demo target acme/bare is scanned by Trivy but has no image.');
    expect(() => demoReports({ now: NOW, targets: [{ ...bare, formats: ['grype'] }] })).toThrow('The demo target acme/bare is scanned by Grype but has no image.');
    expect(() => demoReports({ now: NOW, targets: [{ ...bare, formats: ['aqua'] }] })).toThrow('The demo target acme/bare is scanned by Aqua but has no image.');
    expect(() => demoReports({ now: NOW, targets: [{ ...bare, type: 'container', formats: ['snyk'] }] })).toThrow('The demo target acme/bare is scanned by Snyk but has no repository.');
    expect(() => demoReports({ now: NOW, targets: [{ ...bare, type: 'container', formats: ['osv'] }] })).toThrow('The demo target acme/bare is scanned by OSV-Scanner but has no repository.');
  });

  it('says which variant is the baseline only for targets whose baseline Lantern would not guess', () => {
    const named = new Set(reports.filter((r) => r.baseline).map((r) => `${r.target}@${r.variant}`));
    expect([...named].sort()).toEqual(['https://api.acme-pay.example@production', 'https://checkout.acme-pay.example@production']);
  });
});

describe('the demo advisories', () => {
  const advisories = Object.values(ADVISORIES).flat();

  it('have CVSS v3.1 vectors that score, real-looking ids, and fixed versions unlike the installed ones', () => {
    for (const a of advisories) {
      expect(cvssBaseScore(a.vector), a.cve).toBeGreaterThan(0);
      expect(severityFromScore(cvssBaseScore(a.vector) as number)).toBeDefined();
      expect(a.cve).toMatch(/^CVE-\d{4}-\d{4,}$/);
      if (a.ghsa) expect(a.ghsa).toMatch(/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/);
      if (a.cwe) expect(a.cwe).toMatch(/^CWE-\d+$/);
      expect(a.fixed, a.cve).not.toBe(a.installed);
    }
  });

  it('cover every severity', () => {
    const severities = new Set(advisories.map((a) => severityFromScore(cvssBaseScore(a.vector) as number)));
    expect(severities).toEqual(new Set(['critical', 'high', 'medium', 'low']));
  });
});
