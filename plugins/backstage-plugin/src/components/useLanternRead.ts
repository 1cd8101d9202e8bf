import { useEffect, useState } from 'react';

export type Read<T> = { state: 'loading' } | { state: 'error'; error: Error } | { state: 'done'; value: T };

/** The result of `read`, read again whenever `key` changes; an answer to an older key is dropped. */
export function useLanternRead<T>(key: string, read: () => Promise<T>): Read<T> {
  const [result, setResult] = useState<Read<T>>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    setResult({ state: 'loading' });
    read().then(
      (value) => current && setResult({ state: 'done', value }),
      (error: unknown) => current && setResult({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      current = false;
    };
    // The key names everything the read depends on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return result;
}
