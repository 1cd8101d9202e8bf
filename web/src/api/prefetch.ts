import { api } from './client.js';

/**
 * Requests started before React first renders. A page's data is otherwise asked for in an effect,
 * which runs after the first paint: starting the same requests as soon as the script runs lets
 * them travel while React renders, and the page's first rows show that much sooner.
 */
const started = new Map<string, Promise<unknown>>();

export function prefetch(path: string): void {
  if (started.has(path)) return;
  const request = api.get(path);
  // Nobody may take it (the page changed first): its failure is then nobody's concern.
  request.catch(() => undefined);
  started.set(path, request);
}

/** The request prefetch started for `path`, handed over once. */
export function takePrefetched<T>(path: string): Promise<T> | undefined {
  const request = started.get(path);
  started.delete(path);
  return request as Promise<T> | undefined;
}
