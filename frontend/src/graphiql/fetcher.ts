/**
 * GraphiQL's fetcher: the same request the portal's own client makes — a JSON POST to
 * /graphql/ with the session cookie and Django's CSRF token from the `csrftoken` cookie
 * (read per request: Django rotates it on sign-in) — plus any headers typed into
 * GraphiQL's header editor.
 */
import type { GraphiQLProps } from 'graphiql';
import { csrfToken, GRAPHQL_ENDPOINT } from '../graphql/client';

type Fetcher = GraphiQLProps['fetcher'];

export function createFetcher(
  endpoint: string = GRAPHQL_ENDPOINT,
  fetchImpl: typeof fetch = (...args) => fetch(...args),
): Fetcher {
  return async (params, opts) => {
    const headers: Record<string, string> = {
      ...(opts?.headers as Record<string, string> | undefined),
      Accept: 'application/json',
      'Content-Type': 'application/json',
    };
    const token = csrfToken();
    if (token) headers['X-CSRFToken'] = token;
    const response = await fetchImpl(endpoint, {
      method: 'POST',
      credentials: 'same-origin',
      headers,
      body: JSON.stringify(params),
    });
    const text = await response.text();
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      // Not GraphQL (a proxy's error page, a 413...): show what came back instead of a blank pane.
      return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 500)}` }] };
    }
  };
}
