#!/usr/bin/env node
import { run } from './program.js';

const stopSignal = new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});

process.exitCode = await run(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  terminal: process.stdout.isTTY ? { columns: process.stdout.columns || 80 } : undefined,
  stopSignal,
});
