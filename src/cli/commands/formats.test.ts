import { expect, it } from 'vitest';
import { lantern } from '../../../test/support/cli.js';

it('lists the formats in aligned columns with no blanks at the ends of lines, piped or on a terminal', async () => {
  for (const terminal of [undefined, { columns: 80 }]) {
    const { code, stdout } = await lantern(['formats'], { NO_COLOR: '1' }, terminal);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toMatch(/^FORMAT\s+WHAT\s+PRODUCED BY$/);
    expect(lines.find((l) => l.startsWith('trivy '))).toMatch(/^trivy\s+Trivy JSON\s+trivy /);
    for (const line of lines) expect(line).toBe(line.trimEnd());
    // Every row starts its WHAT column where the heading does.
    const what = (lines[0] as string).indexOf('WHAT');
    for (const line of lines.slice(1, -1)) expect(line.slice(what - 2, what)).toBe('  ');
    if (terminal) for (const line of lines) expect(line.length).toBeLessThanOrEqual(terminal.columns);
  }
});
