import { InputError } from '../domain/errors.js';
import type { Finding, Occurrence, ParsedReport } from '../domain/finding.js';
import type { Severity } from '../domain/severity.js';
import { severityFromScore } from '../domain/severity.js';
import { distinct, nonEmpty, optional, positiveInteger, scalarDetails } from './finding-fields.js';
import { codeFingerprint, secretFingerprint } from './fingerprint.js';
import { type ReportFormat, streamedReport } from './format.js';
import { arr, isObject, num, obj, objects, str, strings, type JsonObject } from './json.js';
import { maskSecret, redactFinding, redactSecret, secretSha256 } from './secret.js';
import { type Fields, jsonTypeOf, ReportShape } from './shape.js';
import { isoTimestamp } from './timestamp.js';

/**
 * SARIF 2.1.0 from any tool (CodeQL, Semgrep, Snyk Code, Gitleaks, njsscan …).
 *
 * Decisions:
 * - Severity: `security-severity` (result, then rule) as a score; else `level` (result, then the
 *   rule's default configuration; `none` for results of a kind other than `fail`, as SARIF says;
 *   else SARIF's default `warning`) mapped error→high, warning→medium, note→low, none→info.
 *   A secret with neither is high (DESIGN.md).
 * - Not issues: results of kind `pass` or `notApplicable`, results whose `baselineState` is
 *   `absent` (gone since the baseline); results with an accepted (or status-less) suppression are
 *   counted in `suppressed`.
 * - One result is one issue: every location is an occurrence, fingerprinted from the first.
 * - A path relative to the source tree's root — `uriBaseId` SRCROOT or `%SRCROOT%` (GitHub's and
 *   CodeQL's name), or the base a `versionControlProvenance` entry maps the repository to — keeps
 *   that base as `baseId`: it is a file of the repository whatever the target's type.
 * - A run whose tool is a secret scanner, or a rule tagged `secret`, yields `secret` findings: the
 *   secret (Gitleaks' `offender`, else the region snippet those tools fill with the match) is
 *   hashed for the fingerprint and redacted from snippet and message; nothing else about the
 *   result is copied.
 */
export const sarif: ReportFormat = {
  name: 'sarif',
  title: 'SARIF 2.1.0',
  producedBy: 'any SARIF 2.1.0 tool: codeql, semgrep --sarif, snyk code test --sarif, gitleaks --report-format sarif …',
  detect(doc) {
    if (!isObject(doc) || !Array.isArray(doc.runs)) return false;
    return str(doc.version)?.startsWith('2.1') === true || /sarif/i.test(str(doc.$schema) ?? '');
  },
  parse(doc) {
    const log = shape.object(doc, '', LOG);
    if (log.version !== SARIF_VERSION) {
      const written = typeof log.version === 'string' ? `"${log.version.slice(0, 20)}"` : jsonTypeOf(log.version);
      throw new InputError(`Invalid SARIF log: version is ${written}; Lantern reads SARIF version ${SARIF_VERSION} only.`);
    }
    // Runs are few; reading their headers first gives the report's scanner before any result.
    const runs = shape.list(log.runs, 'runs').map((value, i) => new Run(shape.object(value, `runs[${i}]`, RUN), `runs[${i}]`));
    const names = distinct(runs.map((run) => run.scanner));
    const version = names.length === 1 ? runs.find((run) => run.version)?.version : undefined;
    const scannedAt = isoTimestamp(runs.find((run) => run.startedAt)?.startedAt);
    const artifact = runs.find((run) => run.repository)?.repository;
    const header = {
      format: 'sarif',
      scanner: names.length > 0 ? names.join('+') : 'sarif',
      ...optional({ scannerVersion: version }),
      scanType: runs.length > 0 && runs.every((run) => run.secretTool) ? ('secret' as const) : ('sast' as const),
      suppressed: 0,
      errors: [],
      ...optional({ artifact, scannedAt }),
    };
    return streamedReport(header, function* (parsed) {
      for (const run of runs) {
        const results = shape.objects(run.doc.results, `${run.path}.results`);
        for (let i = 0; i < results.length; i++) {
          const outcome = run.read(results[i] as JsonObject, `${run.path}.results[${i}]`);
          if (outcome === 'suppressed') parsed.suppressed++;
          else if (outcome) yield* outcome;
        }
      }
    });
  },
};

const SARIF_VERSION = '2.1.0';
const shape = new ReportShape('SARIF log');

/** The fields of each SARIF object that the parser reads, and their types. */
const LOG: Fields = { version: 'text', $schema: 'text', runs: 'objects' };
const RUN: Fields = { tool: 'object', results: 'objects', invocations: 'objects', versionControlProvenance: 'objects', artifacts: 'objects', originalUriBaseIds: 'object' };
const TOOL: Fields = { driver: 'object', extensions: 'objects' };
const COMPONENT: Fields = { name: 'text', semanticVersion: 'text', version: 'text', rules: 'objects', globalMessageStrings: 'object' };
const RULE: Fields = {
  id: 'text', name: 'text', shortDescription: 'object', fullDescription: 'object', help: 'object', helpUri: 'text', properties: 'object',
  defaultConfiguration: 'object', relationships: 'objects', messageStrings: 'object',
};
const RULE_PROPERTIES: Fields = { tags: 'texts', 'security-severity': 'number', cwe: 'texts' };
const RESULT: Fields = {
  ruleId: 'text', ruleIndex: 'number', rule: 'object', kind: 'text', level: 'text', baselineState: 'text', message: 'object', locations: 'objects',
  properties: 'object', suppressions: 'objects', fixes: 'objects', partialFingerprints: 'object', fingerprints: 'object', taxa: 'objects',
  relatedLocations: 'objects',
};
const RESULT_PROPERTIES: Fields = { 'security-severity': 'number', offender: 'text', secret: 'text', commit: 'text', author: 'text', email: 'text', cwe: 'texts' };
const MESSAGE: Fields = { text: 'text', markdown: 'text', id: 'text', arguments: 'list' };
const LOCATION: Fields = { physicalLocation: 'object', logicalLocations: 'objects' };
const PHYSICAL_LOCATION: Fields = { artifactLocation: 'object', region: 'object', contextRegion: 'object' };
const REGION: Fields = { startLine: 'number', endLine: 'number', startColumn: 'number', endColumn: 'number', snippet: 'object' };
const ARTIFACT_LOCATION: Fields = { uri: 'text', uriBaseId: 'text', index: 'number' };

/** Tools whose every result is a leaked secret. */
const SECRET_TOOLS = new Set(['gitleaks', 'trufflehog', 'detect-secrets', 'ggshield', 'secretlint', 'kingfisher']);

const LEVELS: Record<string, Severity> = { error: 'high', warning: 'medium', note: 'low', none: 'info' };

/** What a rule reference resolves to: the rule and the tool component that holds it. */
interface RuleMatch {
  rule: JsonObject | undefined;
  component: JsonObject;
}

class Run {
  readonly scanner: string;
  readonly version: string | undefined;
  readonly secretTool: boolean;
  readonly startedAt: string | undefined;
  readonly repository: string | undefined;
  private readonly driver: JsonObject;
  private readonly extensions: JsonObject[];
  /** Each tool component's rules, read once: results refer to them over and over. */
  private readonly rules = new Map<JsonObject, JsonObject[]>();
  private readonly rulesById = new Map<JsonObject, Map<string, JsonObject>>();
  private readonly facts = new WeakMap<JsonObject, RuleFacts>();
  /** The base ids a versionControlProvenance entry maps the repository's root to (SARIF §3.23.7 mappedTo). */
  private readonly repositoryRoots: Set<string>;

  constructor(
    readonly doc: JsonObject,
    readonly path: string,
  ) {
    const tool = shape.optionalObject(doc.tool, `${path}.tool`, TOOL) ?? {};
    this.driver = shape.optionalObject(tool.driver, `${path}.tool.driver`, COMPONENT) ?? {};
    this.extensions = shape.objects(tool.extensions, `${path}.tool.extensions`).map((e, i) => shape.check(e, `${path}.tool.extensions[${i}]`, COMPONENT));
    const components: [JsonObject, string][] = [[this.driver, `${path}.tool.driver`], ...this.extensions.map((e, i): [JsonObject, string] => [e, `${path}.tool.extensions[${i}]`])];
    for (const [component, where] of components) {
      const rules = shape.objects(component.rules, `${where}.rules`).map((rule, i) => {
        shape.check(rule, `${where}.rules[${i}]`, RULE);
        shape.optionalObject(rule.properties, `${where}.rules[${i}].properties`, RULE_PROPERTIES);
        return rule;
      });
      this.rules.set(component, rules);
      const byId = new Map<string, JsonObject>();
      for (const rule of rules) {
        const id = str(rule.id);
        if (id !== undefined && !byId.has(id)) byId.set(id, rule);
      }
      this.rulesById.set(component, byId);
    }
    this.scanner = str(this.driver.name)?.toLowerCase() ?? 'sarif';
    this.version = str(this.driver.semanticVersion) ?? str(this.driver.version);
    this.secretTool = SECRET_TOOLS.has(this.scanner);
    const invocation = objects(doc.invocations)[0];
    this.startedAt = str(invocation?.startTimeUtc) ?? str(invocation?.endTimeUtc);
    this.repository = str(objects(doc.versionControlProvenance)[0]?.repositoryUri);
    this.repositoryRoots = new Set(objects(doc.versionControlProvenance).flatMap((v) => str(obj(v.mappedTo)?.uriBaseId) ?? []));
  }

  /** Whether the report says a base id is the root of the source tree: SRCROOT (`%SRCROOT%`, as GitHub and CodeQL write it) or the repository's mapped root. */
  private isSourceRoot(baseId: string): boolean {
    return SOURCE_ROOT.test(baseId) || this.repositoryRoots.has(baseId);
  }

  /** The findings of one result (one per location), `suppressed`, or undefined when it is no issue. */
  read(result: JsonObject, path: string): Finding[] | 'suppressed' | undefined {
    shape.check(result, path, RESULT);
    const kind = str(result.kind) ?? 'fail';
    if (kind === 'pass' || kind === 'notApplicable' || str(result.baselineState) === 'absent') return undefined;
    if (isSuppressed(result)) return 'suppressed';

    const { rule, component } = this.rule(result);
    const facts = this.factsOf(rule);
    const written = messageText(shape.optionalObject(result.message, `${path}.message`, MESSAGE), rule, component, this.driver);
    const message = this.withoutLinks(written, result, path);
    const ruleId = str(result.ruleId) ?? str(obj(result.rule)?.id) ?? str(rule?.id) ?? this.ruleNamedBy(message) ?? 'unknown';
    const resultProperties = shape.optionalObject(result.properties, `${path}.properties`, RESULT_PROPERTIES) ?? {};
    const tags = facts.tags;
    const isSecret = this.secretTool || facts.secret;

    const score = num(resultProperties['security-severity']) ?? facts.securitySeverity;
    const scored = score === undefined ? undefined : severityFromScore(score);
    const writtenLevel = str(result.level) ?? facts.defaultLevel;
    const level = writtenLevel ?? (kind === 'fail' ? undefined : 'none');
    const severity = scored ?? (isSecret && level === undefined ? 'high' : (LEVELS[level ?? 'warning'] ?? 'medium'));

    const places = shape.objects(result.locations, `${path}.locations`).map((location, i) => this.place(location, `${path}.locations[${i}]`));
    if (places.length === 0) places.push({});
    const primary = places[0] ?? {};

    const ruleTitle = facts.title;
    const description = facts.description ?? message;
    const common = {
      severity,
      ...optional({ scannerSeverity: writtenLevel, score: scored ? score : undefined }),
      ruleId,
      ...nonEmpty({
        cwes: resultCwes(result, facts.cwes),
        references: facts.references,
        tags,
      }),
    };

    if (isSecret) {
      const secret = str(resultProperties.offender) ?? str(resultProperties.secret) ?? primary.snippet;
      const redact = (value: string | undefined) => (value === undefined || secret === undefined ? undefined : redactSecret(value, secret));
      const fingerprint = secretFingerprint({ ruleId, filePath: primary.filePath, secretSha256: secretSha256(secret ?? written ?? '') });
      const partial = obj(result.partialFingerprints) ?? {};
      const redacted = (finding: Finding) => (secret === undefined ? finding : redactFinding(finding, secret));
      return places.map(({ snippet, ...place }): Finding => redacted({
        kind: 'secret',
        fingerprint,
        ...common,
        // Never the message: it may quote the secret when the secret itself is unknown.
        title: ruleTitle ?? ruleId,
        occurrence: {
          ...place,
          // Without the secret's value nothing can be redacted, so snippet and message are not kept.
          ...optional({
            snippet: redact(snippet),
            secretMasked: secret === undefined ? undefined : maskSecret(secret),
            commit: str(resultProperties.commit) ?? str(partial.commitSha),
            author: str(resultProperties.author) ?? str(partial.author),
            email: str(resultProperties.email) ?? str(partial.email),
          }),
          ...scalarDetails({ message: redact(message) }),
        },
      }));
    }

    const fingerprint = codeFingerprint({
      scanner: this.scanner,
      ruleId,
      filePath: primary.filePath,
      stableFingerprint: stableFingerprint(result),
      // The message as written, so that resolving its links never changes an issue's identity.
      snippetOrMessage: primary.snippet ?? written,
    });
    return places.map((place): Finding => ({
      kind: 'code',
      fingerprint,
      ...common,
      title: ruleTitle ?? firstLine(message) ?? ruleId,
      ...optional({ description, remediation: text(obj(objects(result.fixes)[0])?.description) }),
      occurrence: { ...place, ...scalarDetails({ message }) },
    }));
  }

  /**
   * A message with its embedded links (`[function create](1)`, SARIF §3.11.6) resolved: a link to
   * a related location becomes its text and the place (`function create (src/db.js:12)`), any other
   * link its text alone; escaped brackets become brackets.
   */
  private withoutLinks(message: string | undefined, result: JsonObject, path: string): string | undefined {
    if (message === undefined || !message.includes('](')) return message?.replace(/\\([[\]])/g, '$1');
    const related = new Map<number, Occurrence>();
    shape.objects(result.relatedLocations, `${path}.relatedLocations`).forEach((location, i) => {
      const id = num(location.id);
      if (id !== undefined) related.set(id, this.place(location, `${path}.relatedLocations[${i}]`));
    });
    return message
      .replace(/(?<!\\)\[((?:[^\]\\]|\\.)*)\]\(([^)\s]*)\)/g, (_whole, label: string, target: string) => {
        const place = /^\d+$/.test(target) ? related.get(Number(target)) : undefined;
        const at = place?.filePath === undefined ? '' : ` (${place.filePath}${place.startLine === undefined ? '' : `:${place.startLine}`})`;
        return `${label}${at}`;
      })
      .replace(/\\([[\]])/g, '$1');
  }

  /**
   * The rule a result points at: `rule` (a reference with id, index and tool component), then
   * `ruleIndex` into the driver, then a lookup by id in the driver and every extension. An index
   * whose rule has another id than the result's is ignored, so a wrong index cannot rename a rule.
   */
  private rule(result: JsonObject): RuleMatch {
    const reference = obj(result.rule);
    const ruleId = str(result.ruleId) ?? str(reference?.id);
    const component = this.component(obj(reference?.toolComponent));
    const byIndex = (holder: JsonObject, index: unknown): JsonObject | undefined => {
      const i = num(index);
      const rule = i === undefined || !Number.isInteger(i) || i < 0 ? undefined : this.rules.get(holder)?.[i];
      return rule && (ruleId === undefined || sameRule(str(rule.id), ruleId)) ? rule : undefined;
    };
    const indexed = byIndex(component ?? this.driver, reference?.index) ?? (component ? undefined : byIndex(this.driver, result.ruleIndex));
    if (indexed) return { rule: indexed, component: component ?? this.driver };
    if (ruleId !== undefined) {
      for (const holder of component ? [component] : [this.driver, ...this.extensions]) {
        const rule = this.rulesById.get(holder)?.get(ruleId) ?? this.rules.get(holder)?.find((r) => sameRule(str(r.id), ruleId));
        if (rule) return { rule, component: holder };
      }
    }
    return { rule: undefined, component: component ?? this.driver };
  }

  /** What a rule says that holds for each of its results, worked out once per rule. */
  private factsOf(rule: JsonObject | undefined): RuleFacts {
    if (!rule) return NO_RULE;
    let facts = this.facts.get(rule);
    if (!facts) {
      const properties = obj(rule.properties) ?? {};
      const tags = strings(properties.tags);
      facts = {
        title: firstLine(text(rule.shortDescription)) ?? str(rule.name),
        description: str(obj(rule.help)?.markdown) ?? text(rule.help) ?? text(rule.fullDescription),
        tags,
        secret: tags.some((t) => /^secrets?$/i.test(t)),
        securitySeverity: num(properties['security-severity']),
        defaultLevel: str(obj(rule.defaultConfiguration)?.level),
        cwes: ruleCwes(rule, tags),
        references: distinct([str(rule.helpUri)]),
      };
      this.facts.set(rule, facts);
    }
    return facts;
  }

  private component(reference: JsonObject | undefined): JsonObject | undefined {
    if (!reference) return undefined;
    const index = num(reference.index);
    if (index !== undefined) return index >= 0 && Number.isInteger(index) ? this.extensions[index] : undefined;
    const name = str(reference.name);
    if (name === undefined) return undefined;
    return [this.driver, ...this.extensions].find((c) => str(c.name) === name);
  }

  /**
   * Some tools (Gitleaks 7) name no rule on their results but start the message with the rule's
   * id ("AWS Access Key secret detected"): the longest rule id the message starts with, as a word.
   */
  private ruleNamedBy(message: string | undefined): string | undefined {
    if (message === undefined) return undefined;
    const ids = [this.driver, ...this.extensions].flatMap((c) => (this.rules.get(c) ?? []).map((r) => str(r.id)));
    return ids
      .filter((id): id is string => id !== undefined && (message === id || message.startsWith(`${id} `) || message.startsWith(`${id}:`)))
      .sort((a, b) => b.length - a.length)[0];
  }

  private place(location: JsonObject, path: string): Occurrence {
    shape.check(location, path, LOCATION);
    const physical = shape.optionalObject(location.physicalLocation, `${path}.physicalLocation`, PHYSICAL_LOCATION) ?? {};
    const region = shape.optionalObject(physical.region, `${path}.physicalLocation.region`, REGION) ?? {};
    const { filePath, baseId } = this.filePath(shape.optionalObject(physical.artifactLocation, `${path}.physicalLocation.artifactLocation`, ARTIFACT_LOCATION));
    // Snippets keep their indentation; only blank ones are dropped.
    const snippet = verbatim(obj(region.snippet)?.text) ?? verbatim(obj(obj(physical.contextRegion)?.snippet)?.text);
    const resource = str(objects(location.logicalLocations)[0]?.fullyQualifiedName);
    return optional({
      filePath,
      baseId,
      startLine: positiveInteger(region.startLine),
      endLine: positiveInteger(region.endLine),
      startColumn: positiveInteger(region.startColumn),
      endColumn: positiveInteger(region.endColumn),
      snippet,
      resource,
    });
  }

  /**
   * A file path from an artifact location: `file://` stripped and percent-decoding undone; a
   * relative URI is put under its `uriBaseId` while that base is itself relative (SRCROOT = "src/"
   * under PROJECTROOT), and stops at an absolute base, which is the checkout on the build machine.
   * `baseId` names the base the path ends relative to when that base is the source tree's root
   * (isSourceRoot); an absolute `file://` URI under such a base's own absolute URI is made relative to it.
   */
  private filePath(location: JsonObject | undefined): { filePath?: string | undefined; baseId?: string | undefined } {
    if (!location) return {};
    let uri = str(location.uri);
    let baseId = str(location.uriBaseId);
    if (uri === undefined) {
      const index = num(location.index);
      const artifact = index === undefined ? undefined : obj(obj(arr(this.doc.artifacts)[index])?.location);
      uri = str(artifact?.uri);
      baseId ??= str(artifact?.uriBaseId);
    }
    if (uri === undefined) return {};
    const bases = obj(this.doc.originalUriBaseIds) ?? {};
    if (SCHEME.test(uri)) {
      for (const [id, base] of Object.entries(bases)) {
        const baseUri = str(obj(base)?.uri)?.replace(/\/?$/, '/');
        if (baseUri !== undefined && /^file:/i.test(baseUri) && uri.startsWith(baseUri) && this.isSourceRoot(id)) return { filePath: decode(uri.slice(baseUri.length)), baseId: id };
      }
      return { filePath: fileUriPath(uri) };
    }
    const seen = new Set<string>();
    let prefix = '';
    // The base the path is relative to once the relative bases are put in front of it.
    let root = baseId;
    while (baseId !== undefined && !seen.has(baseId)) {
      seen.add(baseId);
      root = baseId;
      const base = obj(bases[baseId]);
      const baseUri = str(base?.uri);
      if (baseUri === undefined || SCHEME.test(baseUri) || baseUri.startsWith('/')) break;
      prefix = `${baseUri.replace(/\/?$/, '/')}${prefix}`;
      baseId = str(base?.uriBaseId);
      if (baseId === undefined) root = undefined;
    }
    const filePath = decode(`${prefix}${uri}`).replace(/^(\.\/)+/, '');
    return root !== undefined && this.isSourceRoot(root) ? { filePath, baseId: root } : { filePath };
  }
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
/** SARIF's conventional name for the root of the source tree (§3.14.14), with GitHub's `%…%` or without. */
const SOURCE_ROOT = /^%?SRCROOT%?$/i;

function fileUriPath(uri: string): string {
  if (!/^file:/i.test(uri)) return uri;
  const path = decode(uri.replace(/^file:(\/\/[^/]*)?/i, ''));
  // file:///C:/code/a.c names the Windows path C:/code/a.c
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Ids may carry hierarchical sub-ids (`C2001/1`), which belong to rule `C2001`. */
function sameRule(ruleId: string | undefined, resultRuleId: string): boolean {
  return ruleId !== undefined && (ruleId === resultRuleId || resultRuleId.startsWith(`${ruleId}/`));
}

/** SARIF: a suppression counts unless its status is `rejected` or `underReview`. */
function isSuppressed(result: JsonObject): boolean {
  return objects(result.suppressions).some((s) => {
    const status = str(s.status) ?? str(s.state);
    return status === undefined || status === 'accepted';
  });
}

/**
 * A result's message: its own text or markdown, else the rule's (or tool's global) message string
 * named by `message.id`, with `{0}`-style placeholders filled from `arguments`.
 */
function messageText(message: JsonObject | undefined, rule: JsonObject | undefined, component: JsonObject, driver: JsonObject): string | undefined {
  if (!message) return undefined;
  const id = str(message.id);
  const template =
    text(message) ??
    (id === undefined ? undefined : text(obj(obj(rule?.messageStrings)?.[id]) ?? obj(obj(component.globalMessageStrings)?.[id]) ?? obj(obj(driver.globalMessageStrings)?.[id])));
  if (template === undefined) return undefined;
  const args = arr(message.arguments).map((a) => str(a) ?? '');
  return template.replace(/\{(\d+)\}/g, (whole, n: string) => args[Number(n)] ?? whole);
}

function verbatim(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** `text`, else `markdown`, of a SARIF message-like object. */
function text(value: unknown): string | undefined {
  const message = obj(value);
  return str(message?.text) ?? str(message?.markdown);
}

function firstLine(value: string | undefined): string | undefined {
  const line = value?.split('\n').find((l) => l.trim() !== '')?.trim();
  return line === undefined ? undefined : line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/**
 * The tool's own identity for a result: `fingerprints` (meant to be stable) else
 * `partialFingerprints`, every entry in sorted key order so the choice never depends on key order.
 */
function stableFingerprint(result: JsonObject): string | undefined {
  for (const field of [result.fingerprints, result.partialFingerprints]) {
    const entries = Object.entries(obj(field) ?? {})
      .map(([k, v]) => [k, str(v)] as const)
      .filter((e): e is readonly [string, string] => e[1] !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length > 0) return entries.map(([k, v]) => `${k}=${v}`).join(';');
  }
  return undefined;
}

/** What a rule contributes to each of its findings (Run.factsOf). */
interface RuleFacts {
  title: string | undefined;
  description: string | undefined;
  tags: string[];
  secret: boolean;
  securitySeverity: number | undefined;
  defaultLevel: string | undefined;
  cwes: string[];
  references: string[];
}

const NO_RULE: RuleFacts = { title: undefined, description: undefined, tags: [], secret: false, securitySeverity: undefined, defaultLevel: undefined, cwes: [], references: [] };

const CWE_TAXA = (taxa: JsonObject[]) => taxa.filter((t) => str(obj(t.toolComponent)?.name)?.toUpperCase() === 'CWE').map((t) => str(t.id) ?? '');

/** CWE ids from a rule: tags (`external/cwe/cwe-79`), `cwe` properties and CWE relationships. */
function ruleCwes(rule: JsonObject, tags: string[]): string[] {
  const properties = obj(rule.properties) ?? {};
  return cweIds([...tags.filter((t) => /cwe/i.test(t)), ...strings(properties.cwe), ...CWE_TAXA(objects(rule.relationships).map((r) => obj(r.target) ?? {}))]);
}

/** The rule's CWE ids plus those a result names itself (a `cwe` property, CWE taxa). */
function resultCwes(result: JsonObject, fromRule: string[]): string[] {
  const own = [...strings(obj(result.properties)?.cwe), ...CWE_TAXA(objects(result.taxa))];
  return own.length === 0 ? fromRule : distinct([...fromRule, ...cweIds(own)]);
}

function cweIds(candidates: string[]): string[] {
  return distinct(
    candidates.map((c) => {
      const match = c.match(/^(?:.*cwe[-/_ ]?)?(\d+)\b/i);
      return match ? `CWE-${Number(match[1])}` : undefined;
    }),
  );
}
