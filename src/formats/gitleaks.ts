import { InputError } from '../domain/errors.js';
import type { DetailValue, Finding, ParsedReport } from '../domain/finding.js';
import { secretFingerprint } from './fingerprint.js';
import { type ReportFormat, streamedReport } from './format.js';
import { isObject, num, str, strings, type JsonObject } from './json.js';
import { maskSecret, redactFinding, redactSecret, secretSha256 } from './secret.js';
import { type Fields, ReportShape } from './shape.js';

const shape = new ReportShape('Gitleaks report');

/** The fields of a leak that the parser reads, and their types, in v8 and in v7. */
const V8: Fields = {
  RuleID: 'text', Description: 'text', Secret: 'text', Match: 'text', Line: 'text', File: 'text', StartLine: 'number', EndLine: 'number',
  StartColumn: 'number', EndColumn: 'number', Commit: 'text', Author: 'text', Email: 'text', Date: 'text', Message: 'text', Tags: 'texts',
  Entropy: 'number', Fingerprint: 'text', Link: 'text',
};
const V7: Fields = {
  rule: 'text', offender: 'text', line: 'text', file: 'text', lineNumber: 'number', commit: 'text', author: 'text', email: 'text', date: 'text',
  commitMessage: 'text', tags: 'text', repo: 'text', leakURL: 'text',
};

/**
 * Gitleaks JSON reports: v8 (`RuleID`, `Secret`, `Match`, `StartLine` …) and v7 (`rule`,
 * `offender`, `line`, `lineNumber` …), both a JSON array of leaks; `null` when nothing leaked.
 * The secret never leaves this module in clear (DESIGN.md: Secrets): each finding keeps its masked
 * form and its sha256, and every text taken from the report is redacted first.
 */

/** The fields of one leak, whichever version wrote it. */
interface Leak {
  ruleId: string | undefined;
  description: string | undefined;
  secret: string | undefined;
  /** The matched text or the whole line: it holds the secret, so it is redacted before use. */
  context: string | undefined;
  filePath: string | undefined;
  startLine: number | undefined;
  endLine: number | undefined;
  startColumn: number | undefined;
  endColumn: number | undefined;
  commit: string | undefined;
  author: string | undefined;
  email: string | undefined;
  date: string | undefined;
  message: string | undefined;
  tags: string[];
  details: Record<string, DetailValue>;
}

function isV8(leak: JsonObject): boolean {
  return typeof leak.RuleID === 'string';
}

function isV7(leak: JsonObject): boolean {
  return typeof leak.rule === 'string' && typeof leak.offender === 'string';
}

/** A string field kept verbatim: unlike str(), a secret is compared exactly, spaces included. */
function raw(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function line(value: unknown): number | undefined {
  const n = num(value);
  return n !== undefined && n >= 1 ? n : undefined;
}

function readV8(leak: JsonObject): Leak {
  const match = raw(leak.Match);
  const details: Record<string, DetailValue> = {};
  const entropy = num(leak.Entropy);
  if (entropy !== undefined) details.entropy = entropy;
  const gitleaksFingerprint = str(leak.Fingerprint);
  if (gitleaksFingerprint) details.gitleaksFingerprint = gitleaksFingerprint;
  const link = str(leak.Link);
  if (link) details.link = link;
  return {
    ruleId: str(leak.RuleID),
    description: str(leak.Description),
    // Early v8 reports have no Secret: the match is then the secret.
    secret: raw(leak.Secret) ?? match,
    context: raw(leak.Line) ?? match,
    filePath: str(leak.File),
    startLine: line(leak.StartLine),
    endLine: line(leak.EndLine),
    startColumn: line(leak.StartColumn),
    endColumn: line(leak.EndColumn),
    commit: str(leak.Commit),
    author: str(leak.Author),
    email: str(leak.Email),
    date: str(leak.Date),
    message: str(leak.Message),
    tags: strings(leak.Tags),
    details,
  };
}

function readV7(leak: JsonObject): Leak {
  const details: Record<string, DetailValue> = {};
  const repo = str(leak.repo);
  if (repo) details.repository = repo;
  const leakUrl = str(leak.leakURL);
  if (leakUrl) details.link = leakUrl;
  const lineNumber = line(leak.lineNumber);
  return {
    ruleId: str(leak.rule),
    description: undefined,
    secret: raw(leak.offender),
    context: raw(leak.line),
    filePath: str(leak.file),
    startLine: lineNumber,
    endLine: lineNumber,
    startColumn: undefined,
    endColumn: undefined,
    commit: str(leak.commit),
    author: str(leak.author),
    email: str(leak.email),
    date: str(leak.date),
    message: str(leak.commitMessage),
    // v7 writes tags as one comma-separated string.
    tags: (str(leak.tags) ?? '').split(',').map((t) => t.trim()).filter((t) => t !== ''),
    details,
  };
}

function leakFinding(entry: JsonObject, index: number): Finding {
  const leak = isV8(entry) ? readV8(shape.check(entry, `[${index}]`, V8)) : readV7(shape.check(entry, `[${index}]`, V7));
  const { ruleId, secret } = leak;
  if (!ruleId) throw new InputError(`Gitleaks leak [${index}] has no rule id ("RuleID" in v8, "rule" in v7); expected the rule that found the secret.`);
  if (!secret) throw new InputError(`Gitleaks leak [${index}] (rule ${JSON.stringify(ruleId)}) has no secret ("Secret" or "Match" in v8, "offender" in v7); expected the leaked value to fingerprint it.`);
  const redact = (text: string | undefined) => (text === undefined ? undefined : redactSecret(text, secret));
  const details = { ...leak.details };
  if (leak.date) details.date = leak.date;
  const commitMessage = redact(leak.message);
  if (commitMessage) details.commitMessage = commitMessage;
  const finding: Finding = {
    kind: 'secret',
    fingerprint: secretFingerprint({ ruleId, filePath: leak.filePath, secretSha256: secretSha256(secret) }),
    severity: 'high',
    title: redact(leak.description) ?? ruleId,
    ruleId,
    occurrence: {
      filePath: leak.filePath,
      startLine: leak.startLine,
      endLine: leak.endLine,
      startColumn: leak.startColumn,
      endColumn: leak.endColumn,
      snippet: redact(leak.context),
      secretMasked: maskSecret(secret),
      commit: leak.commit,
      author: redact(leak.author),
      email: leak.email,
    },
  };
  if (leak.tags.length > 0) finding.tags = leak.tags;
  if (Object.keys(details).length > 0) finding.occurrence.details = details;
  return redactFinding(finding, secret);
}

export const gitleaks: ReportFormat = {
  name: 'gitleaks',
  title: 'Gitleaks JSON',
  producedBy: 'gitleaks git --report-format json --report-path gitleaks.json (before 8.19: gitleaks detect …; v7: gitleaks --path . --format json --report gitleaks.json)',

  detect(doc) {
    return Array.isArray(doc) && doc.length > 0 && doc.every((leak) => isObject(leak) && (isV8(leak) || isV7(leak)));
  },

  acceptsEmpty(doc) {
    return doc === null || (Array.isArray(doc) && doc.length === 0);
  },

  parse(doc) {
    const leaks = shape.objects(doc, '');
    return streamedReport({ format: 'gitleaks', scanner: 'gitleaks', scanType: 'secret', suppressed: 0, errors: [] }, function* () {
      for (let i = 0; i < leaks.length; i++) yield leakFinding(leaks[i] as JsonObject, i);
    });
  },
};
