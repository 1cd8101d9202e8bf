/** Where a CLI run writes, and the environment it reads: process streams in main.ts, buffers in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user asks a long-running command (serve) to stop. */
  stopSignal?: Promise<void>;
}
