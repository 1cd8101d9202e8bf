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
  if (setting.baselineRegex) {
    const pattern = safeRegex(setting.baselineRegex);
    const matching = pattern ? scanned.filter((v) => pattern.test(v.name)) : [];
    const newest = latestBy(matching, (v) => v.createdAt);
    if (newest) return { variant: newest.name, reason: 'regex' };
  }
  for (const name of CONVENTIONAL_BASELINES) {
    if (scanned.some((v) => v.name === name)) {
      const note = setting.baselineRegex
        ? `no variant matches the baseline pattern /${setting.baselineRegex}/; showing \`${name}\``
        : undefined;
      return note ? { variant: name, reason: 'conventional', note } : { variant: name, reason: 'conventional' };
    }
  }
  const recent = latestBy(scanned, (v) => v.lastScanAt ?? '');
  if (recent) {
    const why = setting.baselineRegex ? `no variant matches the baseline pattern /${setting.baselineRegex}/` : 'no baseline set';
    return { variant: recent.name, reason: 'most-recent', note: `${why}; showing \`${recent.name}\`` };
  }
  return { variant: null, reason: 'none', note: 'the target has no baseline and no scan' };
}

function latestBy<T>(items: readonly T[], key: (item: T) => string): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || key(item) > key(best)) best = item;
  return best;
}

/** Baseline patterns come from users; one that does not compile matches nothing rather than throwing. */
export function safeRegex(source: string): RegExp | undefined {
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}
