import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lantern } from '../../../test/support/cli.js';
import { DEMO_TARGETS } from '../../demo/targets.js';
import { run } from '../program.js';

/** Runs `lantern demo` until it listens; `stop()` asks it to stop, `exited` is its exit code. */
function startDemo(args: string[]) {
  let stderr = '';
  let stop = () => undefined as void;
  const stopSignal = new Promise<void>((resolve) => {
    stop = resolve;
  });
  let exited: Promise<number> = Promise.resolve(-1);
  const listening = new Promise<string>((resolve, reject) => {
    const io = {
      out: () => undefined,
      err: (text: string) => {
        stderr += text;
        const address = /^Lantern demo is serving on (http:\/\/\S+)$/m.exec(stderr)?.[1];
        if (address) resolve(address);
      },
      env: { LANTERN_LOG_LEVEL: 'silent' },
      stopSignal,
    };
    exited = run(['demo', ...args], io);
    exited.then((code) => reject(new Error(`lantern demo exited with ${code}: ${stderr}`)), reject);
  });
  return { listening, stop, exited: () => exited, stderr: () => stderr };
}

describe('lantern demo', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-demo-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('builds the estate in a fresh database, serves it, and stops cleanly; a second run builds it again', async () => {
    const db = join(dir, 'demo.db');
    for (const round of [1, 2]) {
      const demo = startDemo(['--port', '0', '--db', db]);
      const address = await demo.listening;
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(demo.stderr()).toMatch(
        new RegExp(`^Building the Acme Pay demo estate in ${db.replace(/[.\\/]/g, '\\$&')} …\\n  21 catalog entities with 20 target links, 19 of them showing data\\n  12 targets, 168 scans over 2\\d days, \\d+ issues\\n  built in \\d+\\.\\d s\\n`),
      );
      const entities = (await (await fetch(`${address}/api/catalog/entities`)).json()) as unknown[];
      expect(entities).toHaveLength(21);
      const targets = (await (await fetch(`${address}/api/targets`)).json()) as Array<{ name: string; scans: number }>;
      expect(targets.map((t) => t.name).sort(), `round ${round}`).toEqual(DEMO_TARGETS.map((t) => t.name).sort());
      // A second run starts from an empty database: the same scans, not twice as many.
      expect(targets.reduce((n, t) => n + t.scans, 0)).toBe(168);
      demo.stop();
      expect(await demo.exited()).toBe(0);
      expect(demo.stderr()).toContain('Stopping: finishing requests in flight…\n');
    }
  });

  it('refuses to delete a file that is not a demo database, and leaves it as it was', async () => {
    const db = join(dir, 'lantern.db');
    writeFileSync(db, 'my own data');
    const result = await lantern(['demo', '--port', '0', '--db', db]);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `lantern: ${db} exists and is not a Lantern demo database; the demo builds a fresh database and deletes the old one, so it will not touch this file: give another --db, or delete the file yourself.\n`,
    });
    expect(readFileSync(db, 'utf8')).toBe('my own data');
  });

  it('refuses a PostgreSQL URL and a bad port with exit 2 and one line', async () => {
    expect(await lantern(['demo', '--db', 'postgres://demo@127.0.0.1/lantern'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'lantern: Invalid --db "postgres://demo@127.0.0.1/lantern": the demo builds a SQLite file; give a file path.\n',
    });
    expect(await lantern(['demo', '--port', '70000'])).toEqual({ code: 2, stdout: '', stderr: 'lantern: Invalid --port "70000": expected 0-65535.\n' });
  });
});
