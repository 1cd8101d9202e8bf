import type { Scorecard } from '../api/types.js';

/** Where a scorecard is defined, in a word. */
export const ORIGIN_LABEL: Record<Scorecard['origin'], string> = { 'built-in': 'Built-in', file: 'File', api: 'API' };
