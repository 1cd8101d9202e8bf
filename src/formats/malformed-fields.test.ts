import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../domain/errors.js';
import { aqua } from './aqua.js';
import { checkov } from './checkov.js';
import { generic } from './generic.js';
import { gitleaks } from './gitleaks.js';
import { osv } from './osv.js';
import { semgrep } from './semgrep.js';
import { parseAll, parseWith } from '../../test/support/formats-read.js';

/**
 * House rule: a malformed field never crashes a parser. Each own sample is mutated many times
 * (deterministically: a fixed-seed generator) by swapping values for ones of other JSON types and
 * dropping keys; every mutant a format accepts must parse or fail with a one-line InputError.
 */

const FORMATS = [aqua, osv, semgrep, gitleaks, checkov, generic];
const STRANGE: unknown[] = [null, 0, -1, 1.5, 99999999999999, 'x', '', ' ', '7.5', 'requires login', [], {}, [null], [1], { a: 1 }, true];

function generator(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

function mutate(value: unknown, random: () => number, depth = 0): unknown {
  if (random() < 0.08) return STRANGE[Math.floor(random() * STRANGE.length)];
  if (Array.isArray(value)) return value.map((v) => mutate(v, random, depth + 1));
  if (typeof value === 'object' && value !== null) {
    // Top-level keys stay, so that most mutants are still detected and reach parse().
    const entries = Object.entries(value).filter(() => depth < 2 || random() > 0.05);
    return Object.fromEntries(entries.map(([k, v]) => [k, mutate(v, random, depth + 1)]));
  }
  return value;
}

describe.each(FORMATS.map((f) => [f.name, f] as const))('%s parser on malformed fields', (name, format) => {
  const dir = new URL(`./testdata/${name}/`, import.meta.url);
  const samples = readdirSync(dir).map((file) => readFileSync(new URL(file, dir), 'utf8')).filter((t) => t.trim() !== '').map((t) => JSON.parse(t) as unknown);

  it('parses or rejects with one line, never crashes', () => {
    const random = generator(7);
    let read = 0;
    let rejected = 0;
    for (let round = 0; round < 150; round++) {
      for (const sample of samples) {
        const doc = mutate(sample, random);
        if (!format.detect(doc) && !format.acceptsEmpty?.(doc)) continue;
        try {
          JSON.stringify(parseWith(format, doc));
          read++;
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          expect((error as Error).message).not.toContain('\n');
          rejected++;
        }
      }
    }
    // Enough mutants got past detect() for the run to mean something. Most are refused: a field of
    // the wrong type is an InputError (formats/shape.ts), so few mutants are read to the end.
    expect(read + rejected).toBeGreaterThan(25);
  });
});
