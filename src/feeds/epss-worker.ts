/**
 * The thread that reads and parses an EPSS file for an import (epss-parse.ts starts it): it
 * decompresses, splits and checks the file's lines (feedBytes, feedLines, epssScores, as in the
 * import's own thread before) and posts their rows in chunks (epss-chunks.ts), their arrays
 * transferred, not copied. One file at a time; the thread stays for the next import.
 */
import { parentPort } from 'node:worker_threads';
import { type EpssChunk, EpssChunker } from './epss-chunks.js';
import { epssScores } from './epss.js';
import type { EpssParseTask, EpssParseMessage } from './epss-parse.js';
import { feedBytes, feedLines } from './source.js';

const port = parentPort;
if (!port) throw new Error('epss-worker.ts runs as a worker thread (epss-parse.ts starts it).');

const post = (message: EpssParseMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const buffersOf = (chunk: EpssChunk) => [chunk.keys.buffer, chunk.epss.buffer, chunk.percentiles.buffer] as ArrayBuffer[];

port.on('message', (task: EpssParseTask) => {
  void parse(task);
});

async function parse(task: EpssParseTask): Promise<void> {
  try {
    const chunker = new EpssChunker((chunk) => post({ kind: 'rows', chunk }, buffersOf(chunk)));
    const lines = feedLines(feedBytes(task.path, { maxBytes: task.maxBytes }), task.source);
    for await (const line of epssScores(lines, task.source, (header) => post({ kind: 'header', header }), task.maxRows)) chunker.add(line);
    chunker.flush();
    post({ kind: 'end' });
  } catch (error) {
    const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
    post({ kind: 'error', name, message });
  }
}
