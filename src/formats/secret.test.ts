import { describe, expect, it } from 'vitest';
import { maskSecret, redactSecret, secretSha256 } from './secret.js';

describe('secrets', () => {
  it('keeps the first 4 characters of a long secret', () => {
    expect(maskSecret('AKIAIOSFODNN7EXAMPLE')).toBe('AKIA****');
  });

  it('masks short secrets whole', () => {
    expect(maskSecret('hunter2')).toBe('****');
    expect(maskSecret('12345678')).toBe('****');
  });

  it('redacts every appearance', () => {
    expect(redactSecret('key=AKIAIOSFODNN7EXAMPLE; again AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE')).toBe('key=AKIA****; again AKIA****');
    expect(redactSecret('unchanged', '')).toBe('unchanged');
  });

  it('hashes with sha256', () => {
    expect(secretSha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
