/**
 * Minimal scanner reports built in tests, in each tool's real shape, so that a test states exactly
 * which issues a scan has.
 */

export interface Vulnerability {
  id: string;
  pkg: string;
  version: string;
  severity: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN';
  fixed?: string;
}

export function trivyReport(vulnerabilities: Vulnerability[], target = 'package-lock.json'): string {
  return JSON.stringify({
    SchemaVersion: 2,
    ArtifactName: '.',
    ArtifactType: 'filesystem',
    Results: [
      {
        Target: target,
        Class: 'lang-pkgs',
        Type: 'npm',
        Vulnerabilities: vulnerabilities.map((v) => ({
          VulnerabilityID: v.id,
          PkgName: v.pkg,
          InstalledVersion: v.version,
          ...(v.fixed ? { FixedVersion: v.fixed } : {}),
          Severity: v.severity,
          Title: `${v.id} in ${v.pkg}`,
          Description: `Description of ${v.id}.`,
          References: [`https://nvd.nist.gov/vuln/detail/${v.id}`],
        })),
      },
    ],
  });
}

const TITLE_CASE = { CRITICAL: 'Critical', HIGH: 'High', MEDIUM: 'Medium', LOW: 'Low', UNKNOWN: 'Unknown' } as const;

export function grypeReport(vulnerabilities: Vulnerability[]): string {
  return JSON.stringify({
    matches: vulnerabilities.map((v) => ({
      vulnerability: {
        id: v.id,
        dataSource: `https://nvd.nist.gov/vuln/detail/${v.id}`,
        severity: TITLE_CASE[v.severity],
        urls: [],
        description: `Grype says ${v.id}.`,
        fix: { versions: v.fixed ? [v.fixed] : [], state: v.fixed ? 'fixed' : 'unknown' },
      },
      relatedVulnerabilities: [],
      matchDetails: [],
      artifact: { name: v.pkg, version: v.version, type: 'npm', locations: [{ path: '/app/package-lock.json' }], purl: `pkg:npm/${v.pkg}@${v.version}` },
    })),
    source: { type: 'directory', target: '.' },
    descriptor: { name: 'grype', version: '0.74.0' },
  });
}

/** A Grype match with the fields the prioritisation tests vary. */
export interface GrypeMatch {
  id: string;
  related?: string[];
  pkg: string;
  severity: string;
  fixed?: string;
  epss?: number;
}

/** A Grype report: `related` ids become aliases, `epss` the match's EPSS entry. */
export function grypeMatchesReport(matches: GrypeMatch[]): string {
  return JSON.stringify({
    matches: matches.map((m) => ({
      vulnerability: { id: m.id, severity: m.severity, fix: { versions: m.fixed ? [m.fixed] : [], state: m.fixed ? 'fixed' : 'unknown' } },
      relatedVulnerabilities: (m.related ?? []).map((id) => ({ id })),
      matchDetails: [],
      artifact: { name: m.pkg, version: '1.0.0', type: 'npm', locations: [{ path: '/app/package-lock.json' }] },
      ...(m.epss === undefined ? {} : { epss: [{ cve: m.id, epss: m.epss, percentile: m.epss, date: '2024-03-01' }] }),
    })),
    source: { type: 'directory', target: '.' },
    descriptor: { name: 'grype', version: '0.80.0' },
  });
}

export interface CodeResult {
  rule: string;
  path: string;
  line: number;
  severity: 'ERROR' | 'WARNING' | 'INFO';
  snippet: string;
}

export function semgrepReport(results: CodeResult[]): string {
  return JSON.stringify({
    results: results.map((r) => ({
      check_id: r.rule,
      path: r.path,
      start: { line: r.line, col: 1, offset: 0 },
      end: { line: r.line, col: 20, offset: 19 },
      extra: { message: `${r.rule} matched`, severity: r.severity, lines: r.snippet, metadata: {} },
    })),
    errors: [],
    version: '1.50.0',
  });
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
