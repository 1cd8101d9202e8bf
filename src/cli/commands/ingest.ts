import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import { formatScope } from '../../domain/scope.js';
import { SEVERITIES } from '../../domain/severity.js';
import { TARGET_TYPES, type TargetType } from '../../domain/target.js';
import type { IngestResult } from '../../ingest/ingest.js';
import { DEFAULT_MAX_REPORT_MB, readReportFile } from '../../ingest/report-file.js';
import { positiveNumber, scopeOption, withLantern } from '../context.js';
import type { CliIo } from '../io.js';
import { json } from '../output.js';
import { callServer, TOKEN_VARIABLE } from '../server-client.js';
import { examples, required } from '../help.js';

interface IngestOptions {
  target: string;
  type: string;
  variant: string;
  scope?: string;
  format?: string;
  baseline?: boolean;
  commit?: string;
  branch?: string;
  pipelineUrl?: string;
  scannedAt?: string;
  maxReportMb: string;
  json?: boolean;
  db?: string;
  server?: string;
}

export function ingestCommand(program: Command, io: CliIo): void {
  program
    .command('ingest')
    .description('ingest a scanner report into a target variant')
    .addHelpText('after', examples('lantern ingest trivy.json --target acme/payments --type repository --variant main --baseline', 'lantern ingest grype.json --target registry.acme.io/payments --type container --variant 1.4.2 --scope acme.pay --commit 3f2c1e9', 'LANTERN_TOKEN=lnt_… lantern ingest semgrep.json --target acme/payments --type repository --variant main --server https://lantern.example.com'))
    .argument('<file>', 'the report file (any supported format; see `lantern formats`)')
    .addOption(required('--target <name>', 'the scanned target, e.g. acme/payments or registry.acme.io/payments'))
    .addOption(required('--type <type>', `target type: ${TARGET_TYPES.join('|')}`))
    .addOption(required('--variant <name>', 'the variant scanned: a branch, tag, image tag …'))
    .option('--scope <scope>', 'ORG.PROJECT, or account for an account-level target (default: default.default)')
    .option('--format <name>', 'the report format, instead of detecting it')
    .option('--baseline', 'make this variant the target baseline')
    .option('--commit <sha>', 'the commit that was scanned')
    .option('--branch <name>', 'the branch that was scanned')
    .option('--pipeline-url <url>', 'the CI run that produced the report')
    .option('--scanned-at <time>', 'when the scan ran (ISO 8601; default: now)')
    .option('--max-report-mb <n>', 'refuse reports larger than this', String(DEFAULT_MAX_REPORT_MB))
    .option('--json', 'print the result as JSON')
    .option('--db <url>', 'database: a SQLite file or postgres:// URL (default: $LANTERN_DATABASE_URL or lantern.db)')
    .option('--server <url>', `upload to a Lantern server instead (POST /api/scans), with the API token in $${TOKEN_VARIABLE}`)
    .action(async (file: string, options: IngestOptions) => {
      if (options.db !== undefined && options.server !== undefined) throw new InputError('Give --db or --server, not both.');
      if (!(TARGET_TYPES as readonly string[]).includes(options.type)) {
        throw new InputError(`Invalid --type ${JSON.stringify(options.type)}: expected one of ${TARGET_TYPES.join(', ')}.`);
      }
      const maxBytes = positiveNumber('--max-report-mb', options.maxReportMb) * 1024 * 1024;
      const scope = scopeOption(options.scope);
      const report = await readReportFile(file, maxBytes);
      if (options.server !== undefined) {
        const query = new URLSearchParams({ target: options.target, type: options.type, variant: options.variant, scope: formatScope(scope) });
        for (const [key, value] of Object.entries({ format: options.format, commit: options.commit, branch: options.branch, pipelineUrl: options.pipelineUrl, scannedAt: options.scannedAt })) {
          if (value !== undefined) query.set(key, value);
        }
        if (options.baseline) query.set('baseline', 'true');
        const uploaded = await callServer<IngestResult>(io, options.server, 'POST', `api/scans?${query}`, { bytes: report });
        return io.out(options.json ? json(uploaded) : describeIngest(file, uploaded));
      }
      const result = await withLantern(io, options.db, { maxReportBytes: maxBytes }, (lantern) =>
        lantern.ingest({
          report,
          source: file,
          target: options.target,
          targetType: options.type as TargetType,
          variant: options.variant,
          scope,
          format: options.format,
          baseline: options.baseline,
          commit: options.commit,
          branch: options.branch,
          pipelineUrl: options.pipelineUrl,
          scannedAt: options.scannedAt,
        }),
      );
      io.out(options.json ? json(result) : describeIngest(file, result));
    });
}

export function describeIngest(file: string, r: IngestResult): string {
  if (r.duplicate) return `${file} was already ingested into ${r.target}@${r.variant} [${r.scope}] as scan ${r.scanId}: nothing written.\n`;
  const counts = SEVERITIES.map((s) => `${s} ${r.counts[s]}`).join('  ');
  const compared = r.comparedScanId === null ? 'nothing earlier from this scanner to compare with' : `compared with scan ${r.comparedScanId}`;
  const lines = [
    `Ingested ${file} (${r.format}, scanner ${r.scanner}) into ${r.target}@${r.variant} [${r.scope}] as scan ${r.scanId}.`,
    `  issues: ${counts}  total ${r.counts.total}`,
    `  new ${r.new}  common ${r.common}  remediated ${r.remediated} (${compared})`,
  ];
  if (r.suppressed > 0) lines.push(`  ${r.suppressed} result(s) suppressed in the report itself were not ingested`);
  for (const error of r.errors) lines.push(`  scanner error: ${error}`);
  return `${lines.join('\n')}\n`;
}
