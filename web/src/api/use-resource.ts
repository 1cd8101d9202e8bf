import { useCallback, useEffect, useState } from 'react';
import { api } from './client.js';
import { takePrefetched } from './prefetch.js';

export interface Resource<T> {
  status: 'loading' | 'ready' | 'error';
  /** The answer for this path; while loading with keepPrevious, the answer to the previous path. */
  data: T | undefined;
  error: Error | undefined;
  reload: () => void;
}

/**
 * GETs `path` (null: nothing to fetch yet) and follows it: a new path aborts the request in
 * flight, so an answer never lands on a page that asked for something else since. With
 * keepPrevious, a table keeps its rows on screen while the next filter's rows load.
 */
export function useResource<T>(path: string | null, options: { keepPrevious?: boolean } = {}): Resource<T> {
  const [state, setState] = useState<{ path: string | null; data?: T; error?: Error }>({ path: null });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    (takePrefetched<T>(path) ?? api.get<T>(path, controller.signal)).then(
      (data) => {
        // A prefetched request cannot be aborted: drop its answer if the page moved on.
        if (!controller.signal.aborted) setState({ path, data });
      },
      (error: Error) => {
        if (error.name !== 'AbortError' && !controller.signal.aborted) setState({ path, error });
      },
    );
    return () => controller.abort();
  }, [path, generation]);

  if (path !== null && state.path === path) {
    if (state.error) return { status: 'error', data: undefined, error: state.error, reload };
    if (state.data !== undefined) return { status: 'ready', data: state.data, error: undefined, reload };
  }
  return { status: 'loading', data: options.keepPrevious ? state.data : undefined, error: undefined, reload };
}
