import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFetcher } from './fetcher';

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

describe('GraphiQL fetcher', () => {
  afterEach(() => {
    document.cookie = 'csrftoken=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/';
  });

  it('POSTs JSON to /graphql/ with the session cookie and the CSRF token from the csrftoken cookie', async () => {
    document.cookie = 'csrftoken=tok%2Ben; path=/';
    const fetchImpl = vi.fn(async () => jsonResponse({ data: { __typename: 'Query' } }));
    const fetcher = createFetcher(undefined, fetchImpl);

    const result = await fetcher(
      { query: '{ __typename }', variables: { a: 1 }, operationName: null },
      { headers: { 'X-Trace': 'on' } },
    );

    expect(result).toEqual({ data: { __typename: 'Query' } });
    expect(fetchImpl).toHaveBeenCalledTimes(1);
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/graphql/');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect(init.headers).toEqual({
      'X-Trace': 'on',
      Accept: 'application/json',
      'Content-Type': 'application/json',
      'X-CSRFToken': 'tok+en',
    });
    expect(JSON.parse(init.body as string)).toEqual({
      query: '{ __typename }',
      variables: { a: 1 },
      operationName: null,
    });
  });

  it('reads the token on every request (Django rotates it on sign-in)', async () => {
    const fetchImpl = vi.fn(async () => jsonResponse({ data: null }));
    const fetcher = createFetcher('/graphql/', fetchImpl);
    await fetcher({ query: '{ a }' });
    document.cookie = 'csrftoken=second; path=/';
    await fetcher({ query: '{ a }' });
    const headers = fetchImpl.mock.calls.map((call) => (call as unknown as [string, RequestInit])[1].headers);
    expect(headers[0]).not.toHaveProperty('X-CSRFToken');
    expect(headers[1]).toHaveProperty('X-CSRFToken', 'second');
  });

  it('shows a non-JSON answer as an error instead of a blank pane', async () => {
    const fetchImpl = vi.fn(async () => new Response('<h1>Forbidden</h1>', { status: 403 }));
    const result = await createFetcher('/graphql/', fetchImpl)({ query: '{ a }' });
    expect(result).toEqual({ errors: [{ message: 'HTTP 403: <h1>Forbidden</h1>' }] });
  });
});
