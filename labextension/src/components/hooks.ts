import * as React from 'react';

import { errorMessage, type IPage } from '../api';

/** State of a single request. */
export interface IRequestState<T> {
  data: T | undefined;
  loading: boolean;
  error: string | undefined;
}

/**
 * Runs `load` whenever `generation` changes (the sidebar bumps it on refresh)
 * and ignores answers that arrive after a newer request started.
 */
export function useRequest<T>(
  load: () => Promise<T>,
  generation: number
): IRequestState<T> {
  const [state, setState] = React.useState<IRequestState<T>>({
    data: undefined,
    loading: true,
    error: undefined
  });
  // Keep the latest loader without making it an effect dependency.
  const loadRef = React.useRef(load);
  loadRef.current = load;

  React.useEffect(() => {
    let current = true;
    setState(s => ({ ...s, loading: true, error: undefined }));
    loadRef.current().then(
      data => current && setState({ data, loading: false, error: undefined }),
      (error: unknown) =>
        current &&
        setState({
          data: undefined,
          loading: false,
          error: errorMessage(error)
        })
    );
    return () => {
      current = false;
    };
  }, [generation]);

  return state;
}

/** State and actions of a paged list. */
export interface IPagedList<T> {
  items: T[];
  total: number;
  loading: boolean;
  error: string | undefined;
  /** Whether the server holds items beyond those loaded. */
  hasMore: boolean;
  /** Appends the next page. */
  loadMore(): void;
  /** Reloads from the first page (used by "Retry"). */
  reload(): void;
  /**
   * Re-reads the first page while the items stay shown until it arrives: a
   * quiet update after a change made elsewhere.
   */
  refresh(): void;
}

/**
 * Loads page 1 of a list endpoint when `generation` changes (a refresh
 * counter, or a key of the current filters), and appends further pages on
 * demand ("More").
 */
export function usePagedList<T>(
  loadPage: (page: number) => Promise<IPage<T>>,
  generation: number | string
): IPagedList<T> {
  const [items, setItems] = React.useState<T[]>([]);
  const [total, setTotal] = React.useState(0);
  const [page, setPage] = React.useState(0);
  const [loading, setLoading] = React.useState(true);
  const [error, setError] = React.useState<string | undefined>();
  const [reloads, setReloads] = React.useState(0);
  const loadRef = React.useRef(loadPage);
  loadRef.current = loadPage;
  // Incremented per request so late answers of stale requests are dropped.
  const requestId = React.useRef(0);

  const invalidate = React.useCallback(() => {
    requestId.current++;
  }, []);

  const fetchPage = React.useCallback((next: number) => {
    const id = ++requestId.current;
    setLoading(true);
    setError(undefined);
    loadRef.current(next).then(
      result => {
        if (id !== requestId.current) {
          return;
        }
        setItems(previous =>
          next === 1 ? result.items : [...previous, ...result.items]
        );
        setTotal(result.total);
        setPage(next);
        setLoading(false);
      },
      (reason: unknown) => {
        if (id !== requestId.current) {
          return;
        }
        setError(errorMessage(reason));
        setLoading(false);
      }
    );
  }, []);

  const refresh = React.useCallback(() => fetchPage(1), [fetchPage]);

  React.useEffect(() => {
    setItems([]);
    setTotal(0);
    setPage(0);
    fetchPage(1);
    // Unmounting or refreshing: drop answers still in flight.
    return invalidate;
  }, [generation, reloads, fetchPage, invalidate]);

  return {
    items,
    total,
    loading,
    error,
    hasMore: page > 0 && items.length < total,
    loadMore: () => fetchPage(page + 1),
    reload: () => setReloads(r => r + 1),
    refresh
  };
}
