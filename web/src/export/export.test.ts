import { describe, expect, it } from 'vitest';
import { exportTable, neutralise, toCsv, toJson } from './export.js';

describe('exports', () => {
  const table = exportTable(
    [
      { key: 'name', value: (r: { name: string; n: number | null }) => r.name },
      { key: 'count', value: (r: { name: string; n: number | null }) => r.n },
    ],
    [
      { name: 'plain', n: 3 },
      { name: '=HYPERLINK("http://evil")', n: -1 },
      { name: 'a,b "quoted"\nline', n: null },
      { name: '@SUM(A1)', n: 0 },
    ],
  );

  it('neutralises text a spreadsheet would run as a formula, and leaves numbers as numbers', () => {
    expect(['=1+1', '+1', '-1', '@A1', '\tx', '\rx', 'x=1'].map(neutralise)).toEqual(["'=1+1", "'+1", "'-1", "'@A1", "'\tx", "'\rx", 'x=1']);
    expect(toCsv(table)).toBe(['name,count', 'plain,3', `"'=HYPERLINK(""http://evil"")",-1`, '"a,b ""quoted""\nline",', "'@SUM(A1),0", ''].join('\r\n'));
  });

  it('writes the same records as JSON, keyed by column, values as they are', () => {
    expect(JSON.parse(toJson(table))).toEqual([
      { name: 'plain', count: 3 },
      { name: '=HYPERLINK("http://evil")', count: -1 },
      { name: 'a,b "quoted"\nline', count: null },
      { name: '@SUM(A1)', count: 0 },
    ]);
  });
});
