import { describe, expect, it } from 'vitest';
import { formatFieldPath, formatProblem } from './entity.js';

describe('formatFieldPath', () => {
  it('writes keys with dots, indexes in brackets, and quotes keys that are not plain', () => {
    expect(formatFieldPath(['spec', 'providesApis', 1])).toBe('spec.providesApis[1]');
    expect(formatFieldPath(['metadata', 'annotations', 'harness.io/sto-test-target', 0, 'name'])).toBe('metadata.annotations["harness.io/sto-test-target"][0].name');
    expect(formatFieldPath(['$text'])).toBe('$text');
    expect(formatFieldPath([])).toBe('');
  });
});

describe('formatProblem', () => {
  it('prints one line with everything that is known', () => {
    expect(formatProblem({ level: 'error', message: 'Bad.', file: '/c/a.yaml', document: 2, line: 7, column: 3, field: 'spec.owner' })).toBe(
      '/c/a.yaml:7:3: document 2: error: Bad. (field spec.owner)',
    );
    expect(formatProblem({ level: 'warning', message: 'Odd.', file: 'https://x/a.yaml' })).toBe('https://x/a.yaml: warning: Odd.');
  });
});
