import { ConflictError, ForbiddenError, InputError, NotFoundError, UnauthenticatedError } from '../domain/errors.js';
import type { CliIo } from './io.js';

/** The environment variable holding the API token `--server` commands send. */
export const TOKEN_VARIABLE = 'LANTERN_TOKEN';

/**
 * Calls a Lantern server's API as the CLI: with `Authorization: Bearer $LANTERN_TOKEN` when it is
 * set. An error answer becomes the typed error of its status, carrying the server's own sentence,
 * so the CLI prints it as one line and exits 2.
 */
export async function callServer<T>(io: CliIo, server: string, method: string, path: string, body?: { json: unknown } | { bytes: Uint8Array }): Promise<T> {
  let url: URL;
  try {
    url = new URL(path, server.endsWith('/') ? server : `${server}/`);
  } catch {
    throw new InputError(`Invalid --server ${JSON.stringify(server)}: expected the server's address, such as https://lantern.example.com.`);
  }
  const token = io.env[TOKEN_VARIABLE]?.trim();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  // A JSON (or octet-stream) content type on every change, as the server asks of browsers too.
  if (method !== 'GET') headers['content-type'] = body && 'bytes' in body ? 'application/octet-stream' : 'application/json';
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : 'bytes' in body ? body.bytes : JSON.stringify(body.json) });
  } catch (error) {
    throw new InputError(`Could not reach the Lantern server at ${url.origin}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}.`);
  }
  const text = await response.text();
  if (response.ok) return (text === '' ? undefined : JSON.parse(text)) as T;
  const message = serverMessage(text) ?? `The server answered ${response.status} ${response.statusText} to ${method} ${url.pathname}.`;
  if (response.status === 401) {
    throw new UnauthenticatedError(token ? message : `${message} Set ${TOKEN_VARIABLE} to an API token (lantern tokens create).`);
  }
  if (response.status === 403) throw new ForbiddenError(message);
  if (response.status === 404) throw new NotFoundError(message);
  if (response.status === 409) throw new ConflictError(message);
  if (response.status >= 400 && response.status < 500) throw new InputError(message);
  throw new Error(message);
}

function serverMessage(text: string): string | undefined {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}
