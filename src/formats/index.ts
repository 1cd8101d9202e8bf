import { InputError } from '../domain/errors.js';
import type { Finding, ParsedReport } from '../domain/finding.js';
import { aqua } from './aqua.js';
import { checkov } from './checkov.js';
import type { ReportFormat } from './format.js';
import { generic } from './generic.js';
import { gitleaks } from './gitleaks.js';
import { grype } from './grype.js';
import { isObject } from './json.js';
import { JsonSyntaxError, readJson } from './lazy-json.js';
import { osv } from './osv.js';
import { sarif } from './sarif.js';
import { semgrep } from './semgrep.js';
import { snyk } from './snyk.js';
import { trivy } from './trivy.js';

/**
 * Every supported format, in detection order: the first whose detect() accepts a document reads
 * it. Detection is unambiguous: formats/detection-unambiguous.test.ts checks that each sample matches exactly one.
 */
export const FORMATS: readonly ReportFormat[] = [trivy, sarif, snyk, grype, aqua, osv, semgrep, gitleaks, checkov, generic];

export type { ReportFormat } from './format.js';

export function formatNames(): string[] {
  return FORMATS.map((f) => f.name);
}

export function findFormat(name: string): ReportFormat {
  const format = FORMATS.find((f) => f.name === name.trim().toLowerCase());
  if (!format) {
    throw new InputError(`Unknown report format ${JSON.stringify(name)}: expected one of ${formatNames().join(', ')}.`);
  }
  return format;
}

/** The format whose detect() accepts the document, or undefined. */
export function detectFormat(doc: unknown): ReportFormat | undefined {
  return FORMATS.find((f) => safeDetect(f, doc));
}

export interface ParseOptions {
  /** Names the input in messages: a file path, or "request body". */
  source: string;
  /** A registry name that overrides detection. */
  format?: string | undefined;
  /** Arrays larger than this many bytes are read lazily (formats/lazy-json.ts); tests set 0. */
  lazyThreshold?: number | undefined;
}

/**
 * Reads a report: parses the JSON (large arrays lazily), picks the format (named or detected)
 * and runs its parser. Every failure is an InputError whose one-line message starts with the source.
 */
export function parseReport(input: Uint8Array | string, options: ParseOptions): ParsedReport {
  const { source } = options;
  const named = options.format ? findFormat(options.format) : undefined;
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const expected = `expected a JSON report from one of: ${formatNames().join(', ')}`;

  if (isBlank(bytes)) {
    if (named?.acceptsEmpty?.(undefined)) return runParser(named, undefined, source);
    const size = bytes.length === 0 ? 'the file is empty (0 bytes)' : 'the file holds only whitespace';
    throw new InputError(`${source}: ${size}; ${expected}${named ? ` (--format ${named.name} does not accept an empty file)` : ''}.`);
  }
  let doc: unknown;
  let detected: ReportFormat | undefined;
  try {
    doc = readJson(bytes, { lazyThreshold: options.lazyThreshold });
    // Detection reads elements of lazy arrays, where a syntax error may surface.
    detected = named && (safeDetect(named, doc) || named.acceptsEmpty?.(doc)) ? named : detectFormat(doc);
  } catch (error) {
    throw notJson(source, error, expected);
  }

  if (named && detected !== named) {
    const hint = detected
      ? `it looks like ${detected.title}; use --format ${detected.name} or leave --format out`
      : `it does not look like any supported format (${formatNames().join(', ')})`;
    throw new InputError(`${source}: does not look like ${named.title}: ${hint}.`);
  }
  if (detected) return runParser(detected, doc, source);
  throw new InputError(`${source}: ${describeUnknown(doc, bytes)}; ${expected}.`);
}

function runParser(format: ReportFormat, doc: unknown, source: string): ParsedReport {
  let report: ParsedReport;
  try {
    report = format.parse(doc);
  } catch (error) {
    throw readError(format, source, error);
  }
  report.findings = guarded(report.findings, format, source);
  return report;
}

/** The findings, with errors raised while reading them (parsers yield lazily) named as parse errors are. */
function* guarded(findings: Iterable<Finding>, format: ReportFormat, source: string): Generator<Finding> {
  try {
    yield* findings;
  } catch (error) {
    throw readError(format, source, error);
  }
}

function readError(format: ReportFormat, source: string, error: unknown): unknown {
  if (error instanceof InputError) return new InputError(`${source}: ${oneLine(error.message)}`);
  // Lazily read elements are parsed while the parser runs, so a syntax error can surface here.
  if (error instanceof SyntaxError) return notJson(source, error, `expected ${format.title}`);
  if (error instanceof RangeError) {
    return new InputError(`${source}: the ${format.title} report is nested too deeply to read (${oneLine(error.message)}).`);
  }
  return error;
}

/** Says where the JSON is broken, never what is written there (formats/lazy-json.ts: JsonSyntaxError). */
function notJson(source: string, error: unknown, expected: string): InputError {
  if (!(error instanceof SyntaxError)) throw error;
  const where = error instanceof JsonSyntaxError ? error.message : 'a syntax error';
  return new InputError(`${source}: not valid JSON (${where}); ${expected}.`);
}

/** detect(), which never throws, except for a syntax error met in a lazily read element. */
function safeDetect(format: ReportFormat, doc: unknown): boolean {
  try {
    return format.detect(doc);
  } catch (error) {
    if (error instanceof SyntaxError) throw error;
    return false;
  }
}

function isBlank(bytes: Uint8Array): boolean {
  for (const c of bytes) if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  return true;
}

const DEEPEST_REPORT = 64;

/** Why a document matched no format, in words a user can act on. */
function describeUnknown(doc: unknown, bytes: Uint8Array): string {
  if (doc === null) return 'the report is the JSON value null, which names no format (Gitleaks writes it for "no findings": pass --format gitleaks)';
  if (Array.isArray(doc) && doc.length === 0) return 'the report is an empty JSON array, which names no format (pass --format to say which scanner wrote it)';
  if (isObject(doc) && Object.keys(doc).length === 0) return 'the report is an empty JSON object, which names no format (pass --format to say which scanner wrote it)';
  const depth = jsonDepth(bytes, DEEPEST_REPORT);
  if (depth > DEEPEST_REPORT) return `the JSON is nested more than ${DEEPEST_REPORT} levels deep, which no supported scanner report is`;
  if (typeof doc !== 'object') return `the report is a JSON ${typeof doc}, not an object or array`;
  const keys = isObject(doc) ? Object.keys(doc).slice(0, 5).map((k) => JSON.stringify(k)).join(', ') : '';
  return keys ? `no supported format recognises a report with top-level keys ${keys}` : 'no supported format recognises this JSON array';
}

/** Nesting depth of a JSON text, counted without recursion; stops counting past `limit`. */
function jsonDepth(bytes: Uint8Array, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 92) i++; // backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      deepest = Math.max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c === 93 || c === 125) depth--;
  }
  return deepest;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
