import { describe, expect, it } from 'vitest';
import { InputError } from '../domain/errors.js';
import { findFormat, parseReport } from './index.js';
import { parseAll, parseWith } from '../../test/support/formats-read.js';

const fail = (input: string, format?: string) => {
  try {
    parseAll(input, { source: 'r.json', format });
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected parseReport to fail');
};

describe('parseReport on input no format reads', () => {
  it('names the file and the problem for each kind of bad input', () => {
    expect(fail('')).toMatch(/^r\.json: the file is empty \(0 bytes\); expected a JSON report from one of: /);
    expect(fail('  \n')).toMatch(/^r\.json: the file holds only whitespace/);
    expect(fail('{"SchemaVersion": 2, "Results": [')).toMatch(/^r\.json: not valid JSON \(.+\); expected a JSON report/);
    expect(fail('null')).toMatch(/^r\.json: the report is the JSON value null, which names no format/);
    expect(fail('{}')).toMatch(/^r\.json: the report is an empty JSON object/);
    expect(fail('[]')).toMatch(/^r\.json: the report is an empty JSON array/);
    expect(fail('42')).toMatch(/^r\.json: the report is a JSON number/);
    expect(fail('{"hello": 1}')).toMatch(/^r\.json: no supported format recognises a report with top-level keys "hello"/);
  });

  it('says where the JSON is broken but never quotes it, whole or read lazily (the text may be a secret)', () => {
    const secret = 'AKIAIOSFODNN7EXAMPLE';
    const report = `[{"RuleID": "aws-access-token",\n  "Secret": ${secret}, "File": "a.env"}]`;
    for (const lazyThreshold of [undefined, 0]) {
      let message = '';
      try {
        parseAll(report, { source: 'gitleaks.json', lazyThreshold });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^gitleaks\.json: not valid JSON \(unexpected character at line 2, column 13\); expected /);
      expect(message).not.toMatch(/AKIA|EXAMPLE|Secret/);
    }
  });

  it('reports JSON nested 100 000 levels deep without overflowing', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(fail(deep)).toMatch(/^r\.json: the JSON is nested more than 64 levels deep/);
  });

  it('rejects an unknown format name listing the supported ones', () => {
    expect(() => findFormat('nessus')).toThrow(/Unknown report format "nessus": expected one of /);
    expect(fail('{}', 'nessus')).toMatch(/^Unknown report format "nessus"/);
  });
});
