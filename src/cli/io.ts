/** Where a CLI run writes, and the environment it reads: process streams in main.ts, buffers in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /**
   * The terminal `out` writes to, when it is one: tables fit its width and colour is used (unless
   * NO_COLOR is set). Absent when the output is piped or captured.
   */
  terminal?: { columns: number } | undefined;
  /** Resolves when the user asks a long-running command (serve) to stop. */
  stopSignal?: Promise<void>;
}
