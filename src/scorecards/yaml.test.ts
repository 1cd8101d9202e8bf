import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../catalog/entity.js';
import { BUILT_IN_FILE } from './definitions.js';
import { parseScorecardFiles, readScorecardFiles } from './yaml.js';

const FILES = fileURLToPath(new URL('testdata/files/', import.meta.url));
const at = (name: string) => join(FILES, name);

describe('scorecard files', () => {
  it('reads a folder: every YAML file, checks from any file, several scorecards per file', async () => {
    const read = await readScorecardFiles([join(FILES, 'more'), at('checks.yaml')]);
    expect(read.problems).toEqual([]);
    expect([...read.checks.keys()]).toEqual(['owned', 'no-critical']);
    expect(read.scorecards.map((s) => [s.scorecard.id, s.source.file, s.source.document, s.source.line])).toEqual([
      ['basics', at('more/scorecards.yml'), 1, 2],
      ['pci', at('more/scorecards.yml'), 2, 13],
    ]);
    const [basics, pci] = read.scorecards.map((s) => s.scorecard);
    expect(basics).toMatchObject({ filter: { kind: ['Component'] }, checks: [{ id: 'owned', weight: 1 }, { id: 'no-critical', weight: 3, rules: [{ dataPoint: 'sto.critical', operator: '==', value: 0 }] }] });
    expect(pci).toMatchObject({ filter: { tags: ['pci'] }, checks: [{ id: 'scanned', whenNoData: 'fail', rules: [{ dataPoint: 'sto.days_since_last_scan', operator: '<', value: 7 }] }] });
  });

  it('reports each problem as the catalog does, with file, document, line, column and field; the good scorecards load', async () => {
    const read = await readScorecardFiles([FILES]);
    // Files in name order: broken.yaml, checks.yaml, more/scorecards.yml. broken.yaml's fifth
    // document defines "basics" first, so the one in more/scorecards.yml is the duplicate.
    expect(read.scorecards.map((s) => s.scorecard.id)).toEqual(['basics', 'survivor', 'pci']);
    expect(read.problems.map(formatProblem)).toEqual([
      `${at('broken.yaml')}:9:20: document 1: error: Unknown data point "sto.critcal": expected one of those GET /api/scorecards/data-points lists, such as sto.critical or catalog.has_owner. (field checks[0].rules[0].dataPoint)`,
      `${at('broken.yaml')}:14:5: document 2: error: YAML syntax error: Nested mappings are not allowed in compact mappings.`,
      `${at('broken.yaml')}:16:7: document 3: error: The document is of kind "Dashboard": expected kind Scorecard or Check (apiVersion lantern.io/v1). (field kind)`,
      `${at('broken.yaml')}:19:1: document 4: error: The document is not a mapping: expected kind Scorecard or Check (apiVersion lantern.io/v1).`,
      `${at('broken.yaml')}:32:12: document 6: error: No check "missing" is defined: expected the id of a check document (kind: Check), one of owned, no-critical. (field checks[0].check)`,
      `${at('broken.yaml')}:35:13: document 6: error: Invalid weight -1: expected a number greater than 0. (field checks[1].weight)`,
      `${at('more/scorecards.yml')}:4:5: document 1: error: The scorecard id "basics" is already defined in ${at('broken.yaml')} (document 5, line 22); this definition is skipped. (field id)`,
    ]);
  });

  it('reads globs, and reports inputs that are missing or hold nothing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'lantern-scorecards-'));
    try {
      const read = await readScorecardFiles([join(FILES, '**/*.yml'), join(FILES, 'nowhere.yaml'), empty, join(FILES, '*.json')]);
      expect(read.scorecards.map((s) => s.scorecard.id)).toEqual(['pci']);
      expect(read.problems.map(formatProblem)).toEqual([
        `${join(FILES, 'nowhere.yaml')}: error: The scorecard file or folder ${join(FILES, 'nowhere.yaml')} does not exist.`,
        `${empty}: error: The folder ${empty} holds no YAML file, so it defines no scorecard.`,
        `${join(FILES, '*.json')}: error: No file matches ${join(FILES, '*.json')}, so it defines no scorecard.`,
        // The glob found more/scorecards.yml, whose checks live in checks.yaml, not read here.
        `${at('more/scorecards.yml')}:9:12: document 1: error: No check "owned" is defined: expected the id of a check document (kind: Check); none is loaded. (field checks[0].check)`,
        `${at('more/scorecards.yml')}:10:12: document 1: error: No check "no-critical" is defined: expected the id of a check document (kind: Check); none is loaded. (field checks[1].check)`,
      ]);
      expect(read.problems.every((p) => p.level === 'error')).toBe(true);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses alias bombs and repeated checks, and warns about an empty file', () => {
    const bomb = ['kind: Scorecard', 'a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 4 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join('\n');
    const check = 'kind: Check\nid: c\nname: C\nrules: [{ dataPoint: sto.new, operator: "==", value: 0 }]\n';
    const read = parseScorecardFiles([
      { file: 'bomb.yaml', text: bomb },
      { file: 'checks.yaml', text: `${check}---\n${check}` },
      { file: 'empty.yaml', text: '# nothing yet\n' },
    ]);
    expect(read.problems.map(formatProblem)).toEqual([
      'bomb.yaml:1:1: document 1: error: The document expands more than 100 YAML aliases, which looks like an alias bomb (nested anchors that multiply when read); it was not read.',
      'checks.yaml:7:5: document 2: error: The check id "c" is already defined in checks.yaml (document 1, line 1); this definition is skipped. (field id)',
      'empty.yaml: warning: The file holds no YAML document, so it defines no scorecard.',
    ]);
    expect([...read.checks.keys()]).toEqual(['c']);
  });

  it('ships a Security baseline that reads without a problem', async () => {
    const read = await readScorecardFiles([BUILT_IN_FILE]);
    expect(read.problems).toEqual([]);
    expect(read.scorecards.map((s) => [s.scorecard.id, s.scorecard.name, s.scorecard.checks.map((c) => c.id)])).toEqual([
      ['security-baseline', 'Security baseline', ['has-security-data', 'no-critical', 'no-fixable-high', 'scanned-recently', 'links-resolve', 'has-owner']],
    ]);
  });
});
