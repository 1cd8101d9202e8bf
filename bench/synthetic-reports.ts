/**
 * Deterministic synthetic scanner reports for the benchmarks: the same seed gives the same bytes,
 * so figures from different runs and machines compare like for like.
 */

export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];
const WORDS = 'buffer overflow injection traversal denial service remote code execution memory corruption integer truncation heap parser request'.split(' ');

function sentence(next: () => number, words: number): string {
  return Array.from({ length: words }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
}

/** A Trivy filesystem report with `vulnerabilities` findings spread over `packages` packages. */
export function trivyReport(vulnerabilities: number, packages: number, seed = 1): string {
  const next = random(seed);
  const perPackage = Math.ceil(vulnerabilities / packages);
  const results = [];
  for (let p = 0; p < packages; p++) {
    const pkg = `package-${String(p).padStart(5, '0')}`;
    const version = `${1 + (p % 7)}.${p % 13}.${p % 5}`;
    const vulns = [];
    for (let v = 0; v < perPackage && p * perPackage + v < vulnerabilities; v++) {
      const n = p * perPackage + v;
      const id = `CVE-${2015 + (n % 10)}-${String(10000 + n).padStart(5, '0')}`;
      const score = Math.round(next() * 100) / 10;
      vulns.push({
        VulnerabilityID: id,
        PkgName: pkg,
        InstalledVersion: version,
        FixedVersion: next() < 0.7 ? `${2 + (p % 7)}.0.0` : undefined,
        Layer: { DiffID: `sha256:${(p * 7919).toString(16).padStart(64, '0')}` },
        SeveritySource: 'nvd',
        PrimaryURL: `https://avd.aquasec.com/nvd/${id.toLowerCase()}`,
        Title: `${pkg}: ${sentence(next, 6)}`,
        Description: `${sentence(next, 40)}.`,
        Severity: SEVERITIES[Math.floor(next() * SEVERITIES.length)],
        CweIDs: [`CWE-${100 + (n % 700)}`],
        CVSS: { nvd: { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', V3Score: score } },
        References: [`https://nvd.nist.gov/vuln/detail/${id}`, `https://github.com/advisories/GHSA-${n.toString(36)}`, `https://example.org/${pkg}/security`],
        PublishedDate: '2024-01-01T00:00:00Z',
        LastModifiedDate: '2024-06-01T00:00:00Z',
      });
    }
    results.push({ Target: `app/${pkg}/package-lock.json`, Class: 'lang-pkgs', Type: 'npm', Vulnerabilities: vulns });
  }
  return JSON.stringify({ SchemaVersion: 2, ArtifactName: 'bench', ArtifactType: 'filesystem', Results: results });
}

/** A SARIF 2.1.0 log with `results` results over 200 rules and 5 000 files. */
export function sarifReport(results: number, seed = 2): string {
  const next = random(seed);
  const rules = Array.from({ length: 200 }, (_, r) => ({
    id: `bench/rule-${r}`,
    name: `Rule${r}`,
    shortDescription: { text: sentence(next, 5) },
    fullDescription: { text: `${sentence(next, 30)}.` },
    defaultConfiguration: { level: ['error', 'warning', 'note'][r % 3] },
    properties: { tags: ['security', `external/cwe/cwe-${79 + (r % 50)}`], 'security-severity': String((r % 100) / 10) },
  }));
  const out = [];
  for (let i = 0; i < results; i++) {
    const rule = i % rules.length;
    out.push({
      ruleId: `bench/rule-${rule}`,
      ruleIndex: rule,
      message: { text: `${sentence(next, 12)} (${i})` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: `src/module-${i % 5000}/file-${i % 37}.ts` },
            region: { startLine: 1 + (i % 400), endLine: 3 + (i % 400), snippet: { text: `call(${sentence(next, 4)})` } },
          },
        },
      ],
      partialFingerprints: { primaryLocationLineHash: `${i.toString(16)}:1` },
    });
  }
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'BenchScanner', version: '1.0.0', rules } }, results: out }],
  });
}

/** The targets the throughput benches upload to. */
export const BENCH_TARGETS = 100;

/** One upload of the throughput benches (replicas.ts, ingest-cpu.ts): its query string and report. */
export interface BenchUpload {
  query: string;
  body: string;
}

/**
 * The throughput benches' uploads: report k (of `findings(k)` vulnerabilities) goes to target
 * k mod 100. By default each round over the targets scans a new variant (v0, v1, …), so every upload
 * after the first round is a target's first scan of that variant. With BENCH_VARIANT every upload
 * scans that one variant: after the first round each is a rescan that replaces the variant's
 * earlier scan, as CI scanning a branch does (new, fixed and carried-over issues, SLA clocks).
 */
export function benchUploads(count: number, findings: (k: number) => number, variant = process.env.BENCH_VARIANT): BenchUpload[] {
  return Array.from({ length: count }, (_, k) => ({
    query: new URLSearchParams({ target: `bench/service-${k % BENCH_TARGETS}`, type: 'repository', variant: variant ?? `v${Math.floor(k / BENCH_TARGETS)}`, scope: 'bench.replicas' }).toString(),
    body: trivyReport(findings(k), 10, k + 1),
  }));
}
