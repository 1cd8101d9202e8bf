/**
 * The UI's only way to the server: the public HTTP API, with its errors
 * (`{"error": {"name", "message"}, …}`) turned into an ApiError that carries the server's sentence.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The message to show for a failed answer: the server's own sentence when it sent one. */
export function errorMessage(status: number, statusText: string, body: unknown): string {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const error = (body as { error: unknown }).error;
    if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
      return (error as { message: string }).message;
    }
  }
  return `The server answered ${status}${statusText ? ` ${statusText}` : ''}.`;
}

/**
 * Called when the server answers 401: nobody is signed in (any more), and the app shows its sign-in
 * page instead of a page of errors.
 */
const signedOutListeners = new Set<() => void>();

export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => {
    signedOutListeners.delete(listener);
  };
}

async function request<T>(method: string, path: string, init: { body?: BodyInit; contentType?: string; signal?: AbortSignal } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: { accept: 'application/json', ...(init.contentType ? { 'content-type': init.contentType } : {}) },
      body: init.body ?? null,
      signal: init.signal ?? null,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, `Lantern's server did not answer (${(error as Error).message}). Is \`lantern serve\` running?`);
  }
  const text = await response.text();
  let body: unknown = undefined;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  if (response.status === 401) for (const listener of signedOutListeners) listener();
  if (!response.ok) throw new ApiError(response.status, errorMessage(response.status, response.statusText, body));
  return body as T;
}

/**
 * Every change goes with a JSON or octet-stream content type, even with nothing to say (`{}`): the
 * server refuses a change of a form's or no content type, which is what a cross-site form sends.
 */
export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, { signal }),
  postJson: <T>(path: string, value: unknown = {}) => request<T>('POST', path, { body: JSON.stringify(value), contentType: 'application/json' }),
  putJson: <T>(path: string, value: unknown) => request<T>('PUT', path, { body: JSON.stringify(value), contentType: 'application/json' }),
  postBytes: <T>(path: string, body: Blob) => request<T>('POST', path, { body, contentType: 'application/octet-stream' }),
};

/** `?a=1&b=x` from the defined, non-empty values, in order. */
export function queryString(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The path segments of an entity ref, for `/api/…/:kind/:namespace/:name`. */
export function entityPath(kind: string, namespace: string, name: string): string {
  return [kind, namespace, name].map(encodeURIComponent).join('/');
}
