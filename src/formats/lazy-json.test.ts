import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeShared, sharedPath } from '../../test/support/shared-fixtures.js';
import { parseReport } from './index.js';
import { objects } from './json.js';
import { isLazyArray, JsonSyntaxError, readJson } from './lazy-json.js';
import { parseAll, parseWith } from '../../test/support/formats-read.js';

const lazy = (text: string) => readJson(Buffer.from(text), { lazyThreshold: 0 });

describe('readJson', () => {
  const documents = [
    '{"a": 1, "b": [1, 2, {"c": "d"}], "e": {"f": null, "g": true, "h": false}}',
    '[]',
    '{}',
    '[[], {}, [[]], ""]',
    ' \n\t{ "spaced" : [ 1 , 2 ] , "x" : -1.5e3 }\r\n',
    '{"escaped \\"quote\\"": "back\\\\slash\\\\", "unicode": "\\u00e9 ü 日本 😀", "nl": "a\\nb"}',
    '{"__proto__": {"polluted": true}, "constructor": 1}',
    '[1, -0, 0.5, 1e-7, 12345678901234567890, "s", null, true]',
    '"just a string"',
    '42',
    `{"deep": ${'['.repeat(200)}${']'.repeat(200)}}`,
  ];

  it.each(documents)('reads %s exactly as JSON.parse does, with every array lazy', (text) => {
    expect(lazy(text)).toEqual(JSON.parse(text));
    expect(JSON.stringify(lazy(text))).toBe(JSON.stringify(JSON.parse(text)));
  });

  it('keeps __proto__ an own property instead of setting the prototype', () => {
    const doc = lazy('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('leaves only large arrays lazy, and they behave as arrays', () => {
    const big = `{"small": [1, 2], "big": [${Array.from({ length: 100 }, (_, i) => `{"i": ${i}}`).join(',')}]}`;
    const doc = readJson(Buffer.from(big), { lazyThreshold: 200 }) as { small: unknown[]; big: { i: number }[] };
    expect(isLazyArray(doc.small)).toBe(false);
    expect(isLazyArray(doc.big)).toBe(true);
    expect(Array.isArray(doc.big)).toBe(true);
    expect(doc.big.length).toBe(100);
    expect(doc.big[42]).toEqual({ i: 42 });
    expect(doc.big.map((x) => x.i).reduce((a, b) => a + b, 0)).toBe(4950);
    expect([...doc.big].at(-1)).toEqual({ i: 99 });
    expect(doc.big.filter((x) => x.i % 10 === 0)).toHaveLength(10);
    expect(Object.keys(doc.big)).toHaveLength(100);
    expect(() => {
      'use strict';
      (doc.big as unknown[])[0] = 1;
    }).toThrow(TypeError);
  });

  it('picks the object elements of a lazy array without parsing the others', () => {
    const doc = lazy('[{"a": 1}, 2, null, [3], {"b": 2}, "s"]') as unknown[];
    const picked = objects(doc);
    expect(isLazyArray(picked)).toBe(true);
    expect(picked).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it.each([
    ['truncated', '{"a": [1, 2', /^unexpected end of input at line 1, column 12$/],
    ['trailing text', '{"a": 1} x', /^unexpected text after the end of the JSON value at line 1, column 10$/],
    ['a missing comma', '[1 2]', /^expected ',' or '\]' at line 1, column 4$/],
    // Read lazily, the object's end is found by counting brackets, so the error shows at the end.
    ['mismatched brackets', '{"a": [1, 2}', /^(expected ',' or '\]' at line 1, column 12|unexpected end of input at line 1, column 13)$/],
    ['an unterminated string', '["abc', /^unterminated string at line 1, column 2$/],
    ['a bad element inside a lazy array', '[{"a": 1},\n {"b": }]', /^unexpected character at line 2, column 8$/],
    ['a bare word', '[nope]', /^unexpected character at line 1, column 2$/],
  ])('rejects %s with a JsonSyntaxError that gives line and column', (_what, text, message) => {
    for (const read of [lazy, (t: string) => readJson(Buffer.from(t))]) {
      expect(() => JSON.stringify(read(text))).toThrow(JsonSyntaxError);
      expect(() => JSON.stringify(read(text))).toThrow(message);
    }
  });

  // Node's own message quotes the text around the error: `Unexpected token 'A', "…AKIA…" is not valid JSON`.
  it('never quotes the text around a syntax error, which may be an unquoted secret', () => {
    const secret = 'AKIAIOSFODNN7EXAMPLE';
    const text = `{"findings": [{"rule": "aws",\n  "secret": ${secret}}]}`;
    for (const read of [lazy, (t: string) => readJson(Buffer.from(t))]) {
      let message = '';
      try {
        JSON.stringify(read(text));
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toBe('unexpected character at line 2, column 13');
      expect(message).not.toContain(secret.slice(0, 4));
    }
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** What parseReport makes of a file: the report, or the error message. */
function outcome(path: string, lazyThreshold: number | undefined): unknown {
  try {
    return JSON.parse(JSON.stringify(parseAll(readFileSync(path), { source: path, lazyThreshold })));
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('lazy reading changes no parser result', () => {
  const own = filesUnder(join(import.meta.dirname, 'testdata'));
  it.each(own.map((p) => [p.slice(p.indexOf('testdata')), p]))('%s reads the same with every array lazy', (_name, path) => {
    expect(outcome(path, 0)).toEqual(outcome(path, undefined));
  });
});

describeShared('lazy reading changes no parser result on the real reports', () => {
  it('gives the same result for every shared scan fixture with every array lazy', () => {
    const files = filesUnder(sharedPath('scans')).filter((p) => !p.endsWith('NOTICE'));
    expect(files.length).toBeGreaterThan(30);
    for (const path of files) expect(outcome(path, 0), path).toEqual(outcome(path, undefined));
  });
});
