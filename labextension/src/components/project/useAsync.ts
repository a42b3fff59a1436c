import * as React from 'react';

/** State of one request that a view re-runs when its key changes. */
export interface IAsync<T> {
  data: T | undefined;
  loading: boolean;
  /** The thrown value (an `ApiError` for server answers). */
  error: unknown;
  reload(): void;
}

/**
 * Runs `load` on mount and whenever `key` changes or `reload()` is called,
 * dropping answers of requests that a newer one replaced.
 */
export function useAsync<T>(load: () => Promise<T>, key: string): IAsync<T> {
  const [data, setData] = React.useState<T | undefined>();
  const [loading, setLoading] = React.useState(true);
  const [error, setError] = React.useState<unknown>(undefined);
  const [reloads, setReloads] = React.useState(0);
  const loadRef = React.useRef(load);
  loadRef.current = load;

  React.useEffect(() => {
    let current = true;
    setLoading(true);
    setError(undefined);
    loadRef.current().then(
      value => {
        if (current) {
          setData(value);
          setLoading(false);
        }
      },
      (reason: unknown) => {
        if (current) {
          setData(undefined);
          setError(reason);
          setLoading(false);
        }
      }
    );
    return () => {
      current = false;
    };
  }, [key, reloads]);

  const reload = React.useCallback(() => setReloads(r => r + 1), []);
  return { data, loading, error, reload };
}
