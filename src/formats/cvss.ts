import { createRequire } from 'node:module';
import type Calculator from 'ae-cvss-calculator';

/**
 * CVSS base scores for formats that give only a vector (OSV-Scanner). The arithmetic, and v4.0's
 * macro-vector lookup tables, come from a maintained calculator; this module only picks the right
 * version and refuses vectors whose base metrics are incomplete, which the calculator would
 * otherwise score as 0 (and so as `info`).
 */

// Loaded with the first vector, so that an ingest of any other format (and every CLI start) does not pay for it.
const require = createRequire(import.meta.url);
let calculator: typeof Calculator | undefined;
function calculators(): typeof Calculator {
  calculator ??= require('ae-cvss-calculator') as typeof Calculator;
  return calculator;
}

const V3_BASE = ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'];
const V4_BASE = ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'];

/**
 * The base score (0-10) of a CVSS v3.0, v3.1 or v4.0 vector (for v4.0, CVSS-B: base metrics only,
 * whatever threat or environmental metrics the vector adds). Undefined for any other version, a
 * vector with a base metric missing, or an unknown metric value.
 */
export function cvssBaseScore(vector: string): number | undefined {
  const text = vector.trim();
  const [prefix, ...parts] = text.split('/');
  const metrics = new Set(parts.map((part) => part.split(':')[0]));
  const { Cvss3P0, Cvss3P1, Cvss4P0 } = calculators();
  try {
    switch (prefix) {
      case 'CVSS:3.0':
        return V3_BASE.every((m) => metrics.has(m)) ? new Cvss3P0(text).calculateScores().base : undefined;
      case 'CVSS:3.1':
        return V3_BASE.every((m) => metrics.has(m)) ? new Cvss3P1(text).calculateScores().base : undefined;
      case 'CVSS:4.0':
        return V4_BASE.every((m) => metrics.has(m)) ? new Cvss4P0(text).calculateScores().baseMetricsOnly : undefined;
      default:
        return undefined;
    }
  } catch {
    // The calculator throws on a metric value it does not know ("AV:Q"): such a vector has no score.
    return undefined;
  }
}
