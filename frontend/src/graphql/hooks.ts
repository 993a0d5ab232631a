import { useCallback, useEffect, useRef, useState } from 'react';
import { GraphQLRequestError, gql } from './client';

type Variables = Record<string, unknown>;

export type QueryState<TData> = {
  data: TData | undefined;
  error: GraphQLRequestError | undefined;
  /** true while a request is in flight (also during refetches; `data` keeps the previous result). */
  loading: boolean;
  refetch: () => Promise<TData | undefined>;
};

export type QueryOptions = {
  skip?: boolean;
  /** Re-run the query every N milliseconds while mounted (and not skipped). */
  pollInterval?: number;
  /**
   * Keep the answer this many milliseconds for this browser tab: a page mounted again within
   * that time shows it without a request (`refetch` still asks). Only with `cacheKey`.
   */
  cacheFor?: number;
  /** Whose answer it is (e.g. the viewer's id): answers are never shared between keys. */
  cacheKey?: string;
};

/** Answers kept by `cacheFor` (this tab only; emptied when the viewer signs in or out). */
const kept = new Map<string, { data: unknown; at: number }>();

/** Forget every kept answer (sign-in, sign-out; tests). */
export function clearQueryCache(): void {
  kept.clear();
}

function keptAnswer<TData>(key: string | null, maxAge: number | undefined): TData | undefined {
  if (!key || !maxAge) return undefined;
  const entry = kept.get(key);
  if (!entry || Date.now() - entry.at > maxAge) return undefined;
  return entry.data as TData;
}

function toRequestError(err: unknown): GraphQLRequestError {
  return err instanceof GraphQLRequestError
    ? err
    : new GraphQLRequestError('network', err instanceof Error ? err.message : 'Something went wrong.', { cause: err });
}

/**
 * Run a query when the component mounts and whenever `variables` change
 * (compared by JSON value). Stale responses are discarded.
 */
export function useQuery<TData, TVars extends Variables = Variables>(
  query: string,
  variables?: TVars,
  options: QueryOptions = {},
): QueryState<TData> {
  const { skip = false, pollInterval, cacheFor, cacheKey } = options;
  const varsKey = JSON.stringify(variables ?? {});
  const keepKey = cacheFor && cacheKey ? `${cacheKey}\n${query}\n${varsKey}` : null;
  const [state, setState] = useState<{ data?: TData; error?: GraphQLRequestError; loading: boolean }>(() => {
    const data = keptAnswer<TData>(keepKey, cacheFor);
    return data !== undefined ? { data, loading: false } : { loading: !skip };
  });
  const seq = useRef(0);
  const controller = useRef<AbortController | null>(null);

  const run = useCallback(async (): Promise<TData | undefined> => {
    const id = ++seq.current;
    controller.current?.abort();
    const ctrl = new AbortController();
    controller.current = ctrl;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await gql<TData, TVars>(query, JSON.parse(varsKey) as TVars, { signal: ctrl.signal });
      if (keepKey) kept.set(keepKey, { data, at: Date.now() });
      if (id === seq.current) setState({ data, error: undefined, loading: false });
      return data;
    } catch (err) {
      const e = toRequestError(err);
      if (e.kind === 'aborted') return undefined;
      if (id === seq.current) setState((s) => ({ data: s.data, error: e, loading: false }));
      return undefined;
    }
  }, [query, varsKey, keepKey]);

  useEffect(() => {
    if (skip) {
      setState((s) => ({ ...s, loading: false }));
      return;
    }
    const fresh = keptAnswer<TData>(keepKey, cacheFor);
    if (fresh !== undefined) {
      setState({ data: fresh, error: undefined, loading: false });
      return;
    }
    void run();
    return () => {
      // Invalidate the in-flight request (this ref is a counter, not a DOM node).
      // eslint-disable-next-line react-hooks/exhaustive-deps
      seq.current++;
      controller.current?.abort();
    };
    // cacheFor is read when the variables change (a new run), not a reason to ask again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [run, skip]);

  // Polling: the next request starts `pollInterval` ms after the previous one
  // finished, so a slow server never gets overlapping (and aborted) requests.
  useEffect(() => {
    if (skip || !pollInterval) return;
    let cancelled = false;
    let timer: number | undefined;
    const tick = async () => {
      if (cancelled) return;
      await run();
      if (!cancelled) timer = window.setTimeout(() => void tick(), pollInterval);
    };
    timer = window.setTimeout(() => void tick(), pollInterval);
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [run, skip, pollInterval]);

  return { data: state.data, error: state.error, loading: state.loading, refetch: run };
}

export type MutationState<TData> = {
  data: TData | undefined;
  error: GraphQLRequestError | undefined;
  loading: boolean;
  reset: () => void;
};

/**
 * A mutation runner. `mutate` resolves with the data, or `undefined` if the
 * request failed (the error is then in `error`); it never throws.
 */
export function useMutation<TData, TVars extends Variables = Variables>(
  mutation: string,
): [(variables?: TVars) => Promise<TData | undefined>, MutationState<TData>] {
  const [state, setState] = useState<{ data?: TData; error?: GraphQLRequestError; loading: boolean }>({
    loading: false,
  });
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const mutate = useCallback(
    async (variables?: TVars) => {
      setState({ loading: true });
      try {
        const data = await gql<TData, TVars>(mutation, variables);
        if (mounted.current) setState({ data, loading: false });
        return data;
      } catch (err) {
        if (mounted.current) setState({ error: toRequestError(err), loading: false });
        return undefined;
      }
    },
    [mutation],
  );
  const reset = useCallback(() => setState({ loading: false }), []);
  return [mutate, { data: state.data, error: state.error, loading: state.loading, reset }];
}
