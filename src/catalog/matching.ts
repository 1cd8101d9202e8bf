import { chooseBaseline, type BaselineReason, type BaselineSetting, type VariantInfo } from '../domain/baseline.js';
import { formatScope, sameScope, type Scope } from '../domain/scope.js';
import { targetNameKey, type TargetType } from '../domain/target.js';
import type { TargetLinkSpec } from './entity.js';

/**
 * Matching a target link against the stored targets (DESIGN.md: Matching). Pure: the store hands
 * in its targets through TargetDirectory, and links are matched again whenever targets change
 * (a scan ingested after the catalog was read).
 */

/** A target as matching sees it. */
export interface TargetSummary extends BaselineSetting {
  id: number;
  scope: Scope;
  /** As first written. */
  name: string;
  type: TargetType;
  variants: readonly VariantInfo[];
}

export interface TargetDirectory {
  targets(): readonly TargetSummary[];
}

/** Stable codes of link diagnostics, for the API and the UI. */
export const LINK_DIAGNOSTIC_CODES = [
  'case-folded',
  'baseline-note',
  'not-a-repository',
  'target-not-found',
  'target-in-other-scope',
  'similar-target',
  'variant-not-scanned',
  'no-baseline-no-scan',
] as const;
export type LinkDiagnosticCode = (typeof LINK_DIAGNOSTIC_CODES)[number];

export interface LinkDiagnostic {
  level: 'error' | 'warning' | 'info';
  code: LinkDiagnosticCode;
  message: string;
}

export interface TargetLinkResolution {
  spec: TargetLinkSpec;
  /** True when the link reads a target's variant that has been scanned: there is data to show. */
  matched: boolean;
  /** The target found by name and scope, even when it has nothing to show. */
  targetId?: number;
  targetName?: string;
  /** The variant the link shows (or would show, if it had been scanned). */
  variant?: string;
  /** `variant` when the link names one; else how the baseline was chosen. */
  variantReason?: 'variant' | BaselineReason;
  /** Why the link matched nothing, and notes on how it matched. */
  diagnostics: LinkDiagnostic[];
  /**
   * When no target has the link's name in its scope: the ids of the similar-named targets the
   * diagnostic offers, nearest first (none when the name is in another scope). Targets are never
   * removed, so a new target can only join these: the store compares it with them alone.
   */
  similarTargetIds?: number[];
}

/** The targets, indexed once for many links. */
export interface TargetIndex {
  byName: Map<string, TargetSummary[]>;
  byScope: Map<string, TargetSummary[]>;
  bySimilarityKey: Map<string, TargetSummary[]>;
  /** Each target's keys, computed once: similar-name hints compare them with many links. */
  keys: Map<TargetSummary, NameKeys>;
  byLastSegment: Map<string, TargetSummary[]>;
}

export function indexTargets(targets: readonly TargetSummary[]): TargetIndex {
  const index: TargetIndex = { byName: new Map(), byScope: new Map(), bySimilarityKey: new Map(), byLastSegment: new Map(), keys: new Map() };
  const add = (map: Map<string, TargetSummary[]>, key: string, target: TargetSummary) => {
    const list = map.get(key);
    if (list) list.push(target);
    else map.set(key, [target]);
  };
  for (const target of targets) {
    const keys = nameKeys(target.name, target.scope);
    index.keys.set(target, keys);
    add(index.byName, keys.nameKey, target);
    add(index.byScope, keys.scope, target);
    add(index.bySimilarityKey, keys.similarityKey, target);
    if (keys.lastSegment) add(index.byLastSegment, keys.lastSegment, target);
  }
  return index;
}

/** Resolves every link against the directory's targets. */
export function resolveTargetLinks(specs: readonly TargetLinkSpec[], directory: TargetDirectory): TargetLinkResolution[] {
  const index = indexTargets(directory.targets());
  return specs.map((spec) => resolveTargetLink(spec, index));
}

/**
 * Resolves one link against the indexed targets. `similarAmong`, when given, holds every target
 * that can be in the link's similar-name hint: the store passes a waiting link's hint and a new
 * target (link-resolution.ts), since the nearest few of all targets are the nearest few of those.
 */
export function resolveTargetLink(spec: TargetLinkSpec, index: TargetIndex, similarAmong?: readonly TargetSummary[]): TargetLinkResolution {
  const named = index.byName.get(targetNameKey(spec.name)) ?? [];
  const target = named.find((t) => sameScope(t.scope, spec.scope));
  if (!target) {
    const { diagnostic, similar } = whyNotFound(spec, named, index, similarAmong);
    return { spec, matched: false, diagnostics: [diagnostic], similarTargetIds: similar.map((t) => t.id) };
  }

  const diagnostics: LinkDiagnostic[] = [];
  if (target.name !== spec.name) {
    diagnostics.push({ level: 'info', code: 'case-folded', message: `The link names ${quote(spec.name)} and the target is written ${quote(target.name)}: they were matched ignoring case.` });
  }
  if (spec.origin === 'source-url' && target.type !== 'repository') {
    diagnostics.push({ level: 'warning', code: 'not-a-repository', message: `The repository URL names ${quote(target.name)}, which is a ${target.type} target rather than a repository.` });
  }
  const found = { targetId: target.id, targetName: target.name };
  const scanned = target.variants.filter((v) => v.lastScanAt !== null);

  if (spec.variant) {
    const exact = target.variants.find((v) => v.name === spec.variant);
    const variant = exact ?? target.variants.find((v) => v.name.toLowerCase() === spec.variant?.toLowerCase());
    if (variant && !exact) {
      diagnostics.push({ level: 'info', code: 'case-folded', message: `The link asks for the variant ${quote(spec.variant)} and the target has ${quote(variant.name)}: they were matched ignoring case.` });
    }
    const shown = variant?.name ?? spec.variant;
    if (!variant || variant.lastScanAt === null) {
      diagnostics.push({ level: 'warning', code: 'variant-not-scanned', message: `The variant ${quote(spec.variant)} of target ${quote(target.name)} was never scanned${scannedList(scanned)}.` });
      return { spec, matched: false, ...found, variant: shown, variantReason: 'variant', diagnostics };
    }
    return { spec, matched: true, ...found, variant: shown, variantReason: 'variant', diagnostics };
  }

  const choice = chooseBaseline(target, target.variants);
  if (choice.variant === null) {
    diagnostics.push({ level: 'warning', code: 'no-baseline-no-scan', message: `The target ${quote(target.name)} has no baseline and no scan yet.` });
    return { spec, matched: false, ...found, variantReason: choice.reason, diagnostics };
  }
  if (choice.note) diagnostics.push({ level: 'info', code: 'baseline-note', message: `${capitalise(choice.note)}.` });
  const baselineScanned = scanned.some((v) => v.name === choice.variant);
  if (!baselineScanned) {
    diagnostics.push({ level: 'warning', code: 'variant-not-scanned', message: `The baseline ${quote(choice.variant)} of target ${quote(target.name)} was never scanned${scannedList(scanned)}.` });
  }
  return { spec, matched: baselineScanned, ...found, variant: choice.variant, variantReason: choice.reason, diagnostics };
}

/** Why no target has this name in this scope (for the CLI): where it is instead, or which names look like it. */
export function missingTargetMessage(name: string, scope: Scope, index: TargetIndex): string {
  return whyNotFound({ name, scope }, index.byName.get(targetNameKey(name)) ?? [], index).diagnostic.message;
}

/** No target of that name in that scope: say whether it is elsewhere, or what looks like it (and which targets those are). */
function whyNotFound(
  spec: Pick<TargetLinkSpec, 'name' | 'scope'> & { origin?: TargetLinkSpec['origin'] },
  named: readonly TargetSummary[],
  index: TargetIndex,
  similarAmong?: readonly TargetSummary[],
): { diagnostic: LinkDiagnostic; similar: TargetSummary[] } {
  const missing = `No target named ${quote(spec.name)} exists ${inScope(spec.scope)}`;
  if (named.length > 0) {
    const elsewhere = named.map((t) => inScope(t.scope));
    const hint = spec.origin === 'annotation' ? `; set the entry's scope to ${named.map((t) => quote(formatScope(t.scope))).join(' or ')} to link it` : '';
    return { diagnostic: { level: 'warning', code: 'target-in-other-scope', message: `${missing}, but one does ${joinOr(elsewhere)}${hint}.` }, similar: [] };
  }
  const similar = similarTargets(spec, index, similarAmong);
  if (similar.length > 0) {
    const list = similar.map((t) => `${quote(t.name)} ${inScope(t.scope)}`);
    return { diagnostic: { level: 'warning', code: 'similar-target', message: `${missing}; a target with a similar name does: ${joinOr(list)}.` }, similar };
  }
  return { diagnostic: { level: 'warning', code: 'target-not-found', message: `${missing}, and none has a similar name: no scan of it has been ingested yet.` }, similar };
}

const MAX_SIMILAR = 3;

/**
 * Targets whose names look like the link's, nearest first: the same name once a URL scheme,
 * host and `.git` are taken off (`https://github.com/acme/pay.git` for `acme/pay`); the same
 * last segment under another owner (`acme-corp/pay` for `acme/pay`); or, in the link's own
 * scope, a name a few edits away (`acme/payment` for `acme/payments`). With `among`, only those
 * targets are weighed: similarRank ranks no target but the ones the index would have offered.
 */
function similarTargets(spec: Pick<TargetLinkSpec, 'name' | 'scope'>, index: TargetIndex, among?: readonly TargetSummary[]): TargetSummary[] {
  const link = nameKeys(spec.name, spec.scope);
  const candidates = new Set(
    among ?? [
      ...(index.bySimilarityKey.get(link.similarityKey) ?? []),
      ...(link.lastSegment === undefined ? [] : (index.byLastSegment.get(link.lastSegment) ?? [])),
      ...(index.byScope.get(link.scope) ?? []),
    ],
  );
  const ranked: Array<[TargetSummary, SimilarRank]> = [];
  for (const target of candidates) {
    const rank = similarRank(link, index.keys.get(target) ?? nameKeys(target.name, target.scope));
    if (rank) ranked.push([target, rank]);
  }
  return ranked
    .sort(([a, ra], [b, rb]) => compareRanks(ra, rb) || a.name.localeCompare(b.name))
    .slice(0, MAX_SIMILAR)
    .map(([target]) => target);
}

/**
 * Whether a new target can change how a link that found no target resolves, given the targets its
 * similar-name hint offers now (`offered`, in the hint's order, as similarTargets gave them): only
 * when it has the link's name (it matches, or says where the name is), or when it is as near as the
 * last one offered, or the hint offers fewer than it can. false means that resolveTargetLink, with
 * this target among the others, gives what it gave without it: the hint is the nearest few of all
 * targets, and this one comes after them. (The ingest of a target whose name is near many waiting
 * links weighs it against each link's hint alone, not against every target any of them offers.)
 */
export function newTargetConcernsHint(link: NameKeys, offered: readonly TargetSummary[], target: TargetSummary, index: TargetIndex): boolean {
  const keys = index.keys.get(target) ?? nameKeys(target.name, target.scope);
  if (keys.nameKey === link.nameKey) return true;
  const rank = similarRank(link, keys);
  if (rank === undefined) return false;
  const last = offered[MAX_SIMILAR - 1];
  if (offered.length !== MAX_SIMILAR || last === undefined) return true;
  const lastRank = similarRank(link, index.keys.get(last) ?? nameKeys(last.name, last.scope));
  // Ties go the new target's way: a false true costs a resolution, a false false a wrong hint.
  return lastRank === undefined || (compareRanks(rank, lastRank) || target.name.localeCompare(last.name)) <= 0;
}

/** Where similarTargets places a target: in the link's own scope first, then by score (lower is nearer); names break ties. */
export type SimilarRank = readonly [otherScope: number, score: number];

function compareRanks(a: SimilarRank, b: SimilarRank): number {
  return a[0] - b[0] || a[1] - b[1];
}

/**
 * How near a target's name is to that of a link no target has (similarTargets): 0 for the same
 * similarity key, 1 for the same last segment under another owner, 1 + the edits between the
 * similarity keys for a name of the link's own scope a few edits away; undefined when none holds,
 * or when the rank is below `ceiling`.
 */
export function similarRank(link: NameKeys, target: NameKeys, ceiling?: SimilarRank): SimilarRank | undefined {
  let score: number | undefined;
  if (link.similarityKey === target.similarityKey) score = 0;
  else if (link.lastSegment !== undefined && link.lastSegment === target.lastSegment) score = 1;
  if (link.scope === target.scope) {
    // Under a ceiling in the link's own scope, no more edits than it allows are counted: a name
    // further away ranks below it (a score of 0 or 1 from the keys above is below any edit's).
    let limit = similarityLimit(link.similarityKey);
    if (ceiling !== undefined && ceiling[0] === 0) limit = Math.min(limit, ceiling[1] - 1);
    const distance = limit < 0 ? Infinity : editDistance(link.similarityKey, target.similarityKey, limit);
    if (distance <= limit) score = Math.min(score ?? distance + 1, distance + 1);
  }
  if (score === undefined) return undefined;
  const rank: SimilarRank = [link.scope === target.scope ? 0 : 1, score];
  return ceiling !== undefined && compareRanks(rank, ceiling) > 0 ? undefined : rank;
}

/**
 * The ranks of the nearest names weighed so far for one link, as many as the hint offers: once
 * it is full, a name ranked below its last can be no contender (similarContenders), so it need
 * not be weighed further than that (similarRank's ceiling).
 */
export class SimilarPodium {
  private readonly ranks: SimilarRank[] = [];

  add(rank: SimilarRank): void {
    let at = this.ranks.length;
    while (at > 0 && compareRanks(rank, this.ranks[at - 1] as SimilarRank) < 0) at--;
    if (at >= MAX_SIMILAR) return;
    this.ranks.splice(at, 0, rank);
    if (this.ranks.length > MAX_SIMILAR) this.ranks.pop();
  }

  /** The rank a contender may not be below, once the podium is full. */
  ceiling(): SimilarRank | undefined {
    return this.ranks.length < MAX_SIMILAR ? undefined : this.ranks[MAX_SIMILAR - 1];
  }
}

/**
 * similarRank of a target of the link's own scope known by its similarity key alone (no last
 * segment), whose first `common` characters are the link's: what the store weighs each of a
 * scope's many names with (store/target-links.ts similarCandidates), without a keys object each
 * and without comparing again the prefix that the names it reads in order share.
 */
export function similarRankOfKey(link: NameKeys, key: string, ceiling?: SimilarRank, common = 0): SimilarRank | undefined {
  let limit = similarityLimit(link.similarityKey);
  if (ceiling !== undefined && ceiling[0] === 0) limit = Math.min(limit, ceiling[1] - 1);
  const distance = key === link.similarityKey ? 0 : limit < 0 ? Infinity : editDistanceAfter(link.similarityKey, key, limit, common);
  const score = distance === 0 ? 0 : distance <= limit ? distance + 1 : undefined;
  if (score === undefined) return undefined;
  const rank: SimilarRank = [0, score];
  return ceiling !== undefined && compareRanks(rank, ceiling) > 0 ? undefined : rank;
}

/**
 * Of the targets ranked for one link, those that can be among the ones it offers whatever their
 * names: every target ranked no worse than the last one offered. The store reads only these in full.
 */
export function similarContenders<T>(ranked: ReadonlyArray<readonly [T, SimilarRank]>): T[] {
  const sorted = [...ranked].sort(([, a], [, b]) => compareRanks(a, b));
  const last = sorted[MAX_SIMILAR - 1];
  return (last ? sorted.filter(([, rank]) => compareRanks(rank, last[1]) <= 0) : sorted).map(([target]) => target);
}

/** How many edits apart two names may be and still look alike: more for longer names. */
function similarityLimit(key: string): number {
  return key.length <= 4 ? 1 : key.length <= 12 ? 2 : 3;
}

/**
 * The lengths of the similarity keys that can be within similarTargets' edit limit of this one:
 * an edit changes the length by one at most. The store reads a scope's names in this range only.
 */
export function similarKeyLengths(similarityKey: string): { min: number; max: number } {
  const limit = similarityLimit(similarityKey);
  return { min: similarityKey.length - limit, max: similarityKey.length + limit };
}

/** The keys a link or target is compared by when it matched nothing; the store keeps them with each link. */
export interface NameKeys {
  nameKey: string;
  similarityKey: string;
  lastSegment: string | undefined;
  /** formatScope() form. */
  scope: string;
}

export function nameKeys(name: string, scope: Scope): NameKeys {
  return { nameKey: targetNameKey(name), similarityKey: similarityKey(name), lastSegment: lastSegment(name), scope: formatScope(scope) };
}

/**
 * Whether a target could change how a link that found no target resolves: the same name in any
 * scope (a match, or "it exists in another scope"), or a name similarTargets would offer. Lets
 * the store re-resolve only these links when a new target appears.
 */
export function targetConcernsLink(link: NameKeys, target: NameKeys): boolean {
  if (link.nameKey === target.nameKey || link.similarityKey === target.similarityKey) return true;
  if (link.lastSegment !== undefined && link.lastSegment === target.lastSegment) return true;
  const limit = similarityLimit(link.similarityKey);
  return link.scope === target.scope && editDistance(link.similarityKey, target.similarityKey, limit) <= limit;
}

/** A name without case, URL scheme, user, host, `.git` and trailing slashes. */
export function similarityKey(name: string): string {
  let key = targetNameKey(name.trim()).replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/^[^@/]+@/, '');
  const [first, ...rest] = key.split(/[/:]/);
  if (first?.includes('.') && rest.length >= 2) key = rest.join('/');
  return key.replace(/\.git$/, '').replace(/\/+$/, '');
}

/** The repository part of `owner/repo`; undefined for a name without a path. */
export function lastSegment(name: string): string | undefined {
  const parts = similarityKey(name).split('/').filter((p) => p !== '');
  return parts.length >= 2 ? parts[parts.length - 1] : undefined;
}

/**
 * Levenshtein distance, or `limit + 1` as soon as it is known to exceed `limit`. A common prefix
 * and suffix are taken off first (they change no distance: names of one registry share most of
 * their text), and only the diagonal band of width `limit` each side is filled: a cell further
 * from the diagonal is already more than `limit` edits away.
 */
export function editDistance(a: string, b: string, limit: number): number {
  return editDistanceAfter(a, b, limit, 0);
}

let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/** editDistance, the first `common` characters of `a` and `b` being known to be the same. */
export function editDistanceAfter(a: string, b: string, limit: number, common: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let start = common;
  while (start < a.length && start < b.length && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  if (n === 0 || m === 0) return Math.min(Math.max(n, m), limit + 1);
  // What is left starts and ends with a difference: one edit covers it only when it is one
  // character long on each side, so within one edit it is that or nothing.
  if (limit <= 1) return n === 1 && m === 1 ? Math.min(1, limit + 1) : limit + 1;
  const beyond = limit + 1;
  // previous[j] / current[j]: the distance between a's first i and b's first j characters (after
  // the prefix), in two rows kept from one call to the next.
  if (rowA.length <= m) {
    rowA = new Int32Array(2 * (m + 1));
    rowB = new Int32Array(2 * (m + 1));
  }
  let previous = rowA;
  let current = rowB;
  for (let j = 0; j <= m; j++) previous[j] = Math.min(j, beyond);
  for (let i = 1; i <= n; i++) {
    const from = Math.max(1, i - limit);
    const to = Math.min(m, i + limit);
    current[from - 1] = from === 1 ? Math.min(i, beyond) : beyond;
    let best = beyond;
    const ca = a.charCodeAt(start + i - 1);
    for (let j = from; j <= to; j++) {
      const substitution = (previous[j - 1] as number) + (ca === b.charCodeAt(start + j - 1) ? 0 : 1);
      const deletion = (previous[j] as number) + 1;
      const insertion = (current[j - 1] as number) + 1;
      const value = Math.min(substitution, deletion, insertion, beyond);
      current[j] = value;
      if (value < best) best = value;
    }
    // The cell right of the band: the next row reads it as "more than limit" above its own band.
    if (to < m) current[to + 1] = beyond;
    if (best > limit) return beyond;
    [previous, current] = [current, previous];
  }
  return Math.min(previous[m] as number, beyond);
}

function inScope(scope: Scope): string {
  return scope.level === 'account' ? 'at account level' : `in ${formatScope(scope)}`;
}

function scannedList(scanned: readonly VariantInfo[]): string {
  if (scanned.length === 0) return ', and the target has no scan yet';
  const names = scanned.slice(0, 5).map((v) => quote(v.name));
  return `; scanned variants: ${names.join(', ')}${scanned.length > 5 ? ` and ${scanned.length - 5} more` : ''}`;
}

function joinOr(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function quote(text: string): string {
  return JSON.stringify(text);
}

function capitalise(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}
