import { run } from '../../src/cli/program.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in-process against the given database, capturing what it prints; `terminal` makes
 * it write as to a terminal of that many columns.
 */
export async function lantern(args: string[], env: NodeJS.ProcessEnv = {}, terminal?: { columns: number }): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { out: (t) => void (stdout += t), err: (t) => void (stderr += t), env, terminal });
  return { code, stdout, stderr };
}
