import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { GraphQLRequestError, gql } from '../../graphql/client';
import type { ClientsQuery, ClientsQueryVariables } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { CLIENTS_QUERY } from '../../graphql/operations';
import { filtersToVariables, type ClientFilters } from './filters';

export type ClientRow = NonNullable<NonNullable<ClientsQuery['clients']['edges'][number]>['node']>;

type Page = ClientsQuery['clients'];

function rowsOf(page: Page | undefined): ClientRow[] {
  if (!page) return [];
  return page.edges.flatMap((e) => (e?.node ? [e.node] : []));
}

/** First page through useQuery; "Load more" appends pages fetched with `after`. */
export function useClientsList(filters: ClientFilters) {
  const variables = useMemo(() => filtersToVariables(filters), [filters]);
  const key = JSON.stringify(variables);
  const first = useQuery<ClientsQuery, ClientsQueryVariables>(CLIENTS_QUERY, variables);
  const [more, setMore] = useState<{ key: string; pages: Page[] }>({ key, pages: [] });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<GraphQLRequestError | undefined>();
  const keyRef = useRef(key);
  keyRef.current = key;

  useEffect(() => {
    setMore({ key, pages: [] });
    setMoreError(undefined);
  }, [key]);

  const extra = useMemo(() => (more.key === key ? more.pages : []), [more, key]);
  const lastPage: Page | undefined = extra.length ? extra[extra.length - 1] : first.data?.clients;

  const loadMore = useCallback(async () => {
    const after = lastPage?.pageInfo.endCursor;
    if (!after || loadingMore) return;
    const requestKey = key;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const data = await gql<ClientsQuery, ClientsQueryVariables>(CLIENTS_QUERY, filtersToVariables(filters, after));
      if (keyRef.current === requestKey) {
        setMore((m) => ({ key: requestKey, pages: m.key === requestKey ? [...m.pages, data.clients] : [data.clients] }));
      }
    } catch (err) {
      if (keyRef.current === requestKey) setMoreError(err instanceof GraphQLRequestError ? err : new GraphQLRequestError('network', 'Could not load more clients.'));
    } finally {
      setLoadingMore(false);
    }
  }, [filters, key, lastPage, loadingMore]);

  const rows = useMemo(() => {
    const all = [...rowsOf(first.data?.clients), ...extra.flatMap(rowsOf)];
    const seen = new Set<string>();
    return all.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
  }, [first.data, extra]);

  return {
    rows,
    totalCount: (lastPage ?? first.data?.clients)?.totalCount,
    hasNextPage: lastPage?.pageInfo.hasNextPage ?? false,
    /** First load (no data yet) */
    initialLoading: first.loading && !first.data,
    /** Filters changed and we're fetching; old rows are still shown, dimmed. */
    refreshing: first.loading && !!first.data,
    error: first.error,
    loadingMore,
    moreError,
    loadMore,
    refetch: async () => {
      setMore({ key, pages: [] });
      await first.refetch();
    },
  };
}
