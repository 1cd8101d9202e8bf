import { RE2JS } from 're2js';

/** A variant as baseline selection sees it. Times are ISO 8601 strings. */
export interface VariantInfo {
  name: string;
  createdAt: string;
  lastScanAt: string | null;
}

export interface BaselineSetting {
  baselineVariant: string | null;
  baselineRegex: string | null;
}

export type BaselineReason = 'explicit' | 'regex' | 'conventional' | 'most-recent' | 'none';

export interface BaselineChoice {
  /** The variant that represents production, or null when the target has no scanned variant. */
  variant: string | null;
  reason: BaselineReason;
  /** A sentence for the user whenever the choice was not set explicitly. */
  note?: string;
}

/** Names taken as the baseline, in this order, when none is set (DESIGN.md: Baseline when none is set). */
export const CONVENTIONAL_BASELINES = ['main', 'master', 'latest', 'default'] as const;

/**
 * Which variant is "what is in production" for a target: the explicit baseline; else the newest
 * (first scanned most recently) variant matching the baseline regex; else main/master/latest/default
 * if scanned; else the most recently scanned variant.
 */
export function chooseBaseline(setting: BaselineSetting, variants: readonly VariantInfo[]): BaselineChoice {
  if (setting.baselineVariant) return { variant: setting.baselineVariant, reason: 'explicit' };
  const scanned = variants.filter((v) => v.lastScanAt !== null);
  let unmatched = 'no baseline set';
  if (setting.baselineRegex) {
    const compiled = compileBaselinePattern(setting.baselineRegex);
    if ('pattern' in compiled) {
      const newest = latestBy(scanned.filter((v) => compiled.pattern.test(v.name)), (v) => v.createdAt);
      if (newest) return { variant: newest.name, reason: 'regex' };
      unmatched = `no variant matches the baseline pattern /${setting.baselineRegex}/`;
    } else {
      // Stored before patterns were checked at input: say why it is ignored rather than hang or throw.
      unmatched = `the baseline pattern /${setting.baselineRegex}/ cannot be used (${compiled.problem})`;
    }
  }
  for (const name of CONVENTIONAL_BASELINES) {
    if (scanned.some((v) => v.name === name)) {
      return setting.baselineRegex ? { variant: name, reason: 'conventional', note: `${unmatched}; showing \`${name}\`` } : { variant: name, reason: 'conventional' };
    }
  }
  const recent = latestBy(scanned, (v) => v.lastScanAt ?? '');
  if (recent) return { variant: recent.name, reason: 'most-recent', note: `${unmatched}; showing \`${recent.name}\`` };
  return { variant: null, reason: 'none', note: 'the target has no baseline and no scan' };
}

function latestBy<T>(items: readonly T[], key: (item: T) => string): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || key(item) > key(best)) best = item;
  return best;
}

/**
 * Baseline patterns come from users and are matched on every read of their target, so they run on
 * RE2 (linear time in the variant name: `^(a+)+$` cannot backtrack for seconds). RE2 has no
 * look-around or back-references; a pattern that needs them is refused with the reason.
 */
export function compileBaselinePattern(source: string): { pattern: RE2JS } | { problem: string } {
  try {
    return { pattern: RE2JS.compile(source) };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

/** Why `source` cannot be a baseline pattern, as a sentence naming it; undefined when it can. */
export function baselinePatternProblem(source: string, what = 'baseline regex'): string | undefined {
  const compiled = compileBaselinePattern(source);
  if ('pattern' in compiled) return undefined;
  return `Invalid ${what} ${JSON.stringify(source)}: ${compiled.problem}. Baseline patterns use RE2 syntax (no look-around or back-references), e.g. ^v\\d+\\.\\d+\\.\\d+$.`;
}
