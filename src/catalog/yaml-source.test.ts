import { describe, expect, it } from 'vitest';
import { readYamlStream, readYamlValue, sentence } from './yaml-source.js';

describe('readYamlValue', () => {
  it('reads one document, and nothing as null', () => {
    expect(readYamlValue('[{name: a}]')).toEqual([{ name: 'a' }]);
    expect(readYamlValue('')).toBeNull();
  });

  it('refuses several documents, broken YAML, and nesting too deep', () => {
    expect(() => readYamlValue('a: 1\n---\nb: 2\n')).toThrow('The text holds 2 YAML documents; expected one.');
    expect(() => readYamlValue('a: [1\n')).toThrow(/^YAML syntax error: .+ \(line \d+, column \d+\)$/);
    expect(() => readYamlValue(`${'- '.repeat(500)}x`)).toThrow('The document nests collections more than 100 levels deep');
    expect(readYamlValue(`${'- '.repeat(99)}x`)).toBeDefined();
  });
});

describe('readYamlStream', () => {
  it('locates fields, falling back to the nearest written ancestor', () => {
    const [document] = readYamlStream('a:\n  b: [x, {c: 1}]\n  d: &anchor {e: 2}\n  f: *anchor\n');
    // Line 2 is `  b: [x, {c: 1}]`: the value 1 is its 14th character.
    expect(document?.locate(['a', 'b', 1, 'c'])).toEqual({ line: 2, column: 14 });
    expect(document?.locate(['a', 'b', 7])).toEqual({ line: 2, column: 3 });
    expect(document?.locate(['a', 'missing'])).toEqual({ line: 1, column: 1 });
    // An alias is not followed: the alias itself is where the value is written.
    expect(document?.locate(['a', 'f', 'e'])).toEqual({ line: 4, column: 3 });
    expect(document?.locate([])).toEqual({ line: 1, column: 1 });
  });

  it('reads a stream of only comments as no documents', () => {
    expect(readYamlStream('# nothing here\n')).toEqual([]);
  });
});

describe('sentence', () => {
  it('capitalises and ends with one full stop', () => {
    expect(sentence('  some   error:  ')).toBe('Some error.');
    expect(sentence('done.')).toBe('Done.');
  });
});
