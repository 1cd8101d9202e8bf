import type { Kysely } from 'kysely';
import { type BaselineChoice, chooseBaseline } from '../domain/baseline.js';
import { NotFoundError } from '../domain/errors.js';
import type { Database, TargetRow, VariantRow } from './schema.js';
import { variantInfo, variantsOf } from './targets.js';

export interface VariantChoice {
  /** The variant shown, or undefined when the target has nothing to show. */
  variant: VariantRow | undefined;
  /** How it was chosen: `requested` for an explicit --variant, else the baseline rule. */
  reason: 'requested' | BaselineChoice['reason'];
  note?: string | undefined;
}

/** The variant a reader asked for, else the target's baseline (DESIGN.md: Baseline when none is set). */
export async function chooseVariant(db: Kysely<Database>, target: TargetRow, requested?: string): Promise<VariantChoice> {
  const variants = await variantsOf(db, target.id);
  if (requested !== undefined) {
    const variant = variants.find((v) => v.name === requested);
    if (!variant) {
      const known = variants.map((v) => v.name).join(', ') || 'none';
      throw new NotFoundError(`Target ${JSON.stringify(target.name)} has no variant named ${JSON.stringify(requested)}; its variants are: ${known}.`);
    }
    return { variant, reason: 'requested' };
  }
  const choice = chooseBaseline({ baselineVariant: target.baseline_variant, baselineRegex: target.baseline_regex }, variants.map(variantInfo));
  const variant = variants.find((v) => v.name === choice.variant);
  const note = choice.reason === 'explicit' && !variant ? `the baseline \`${choice.variant}\` was never scanned` : choice.note;
  return { variant, reason: choice.reason, note };
}
