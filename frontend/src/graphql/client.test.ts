import { afterEach, describe, expect, it, vi } from 'vitest';
import { GRAPHQL_ENDPOINT, GraphQLRequestError, SESSION_PROBLEM_EVENT, gql, messageForGraphQLErrors, readCookie } from './client';

function respond(body: unknown, status = 200) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const fetchMock = vi.fn(async () => new Response(text, { status }));
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

async function caught(p: Promise<unknown>): Promise<GraphQLRequestError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(GraphQLRequestError);
    return e as GraphQLRequestError;
  }
  throw new Error('expected the request to fail');
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('gql()', () => {
  it('POSTs JSON to /graphql/ with same-origin credentials and the CSRF token from the cookie', async () => {
    document.cookie = 'sessionid=abc';
    document.cookie = 'csrftoken=tok%2B123';
    const fetchMock = respond({ data: { viewer: null } });

    const data = await gql<{ viewer: null }, { a: number }>('query Viewer { viewer { id } }', { a: 1 });

    expect(data).toEqual({ viewer: null });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe(GRAPHQL_ENDPOINT);
    expect(url).toBe('/graphql/');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    const headers = init.headers as Record<string, string>;
    expect(headers['Content-Type']).toBe('application/json');
    expect(headers['X-CSRFToken']).toBe('tok+123');
    expect(JSON.parse(String(init.body))).toEqual({ query: 'query Viewer { viewer { id } }', variables: { a: 1 } });
  });

  it('reads the CSRF cookie on every request (Django rotates it on login)', async () => {
    document.cookie = 'csrftoken=first';
    const fetchMock = respond({ data: { ok: true } });
    await gql('query A { a }');
    document.cookie = 'csrftoken=second';
    await gql('query A { a }');
    const tokens = fetchMock.mock.calls.map((c) => ((c as unknown as [string, RequestInit])[1].headers as Record<string, string>)['X-CSRFToken']);
    expect(tokens).toEqual(['first', 'second']);
  });

  it('omits the CSRF header when there is no cookie', async () => {
    const fetchMock = respond({ data: {} });
    await gql('query A { a }');
    const headers = (fetchMock.mock.calls[0] as unknown as [string, RequestInit])[1].headers as Record<string, string>;
    expect(headers).not.toHaveProperty('X-CSRFToken');
  });

  it('turns a GraphQL errors array into a GraphQLRequestError with the server message', async () => {
    respond({ data: null, errors: [{ message: 'Cannot query field "nope" on type "Query".' }] });
    const err = await caught(gql('query A { nope }'));
    expect(err.kind).toBe('graphql');
    expect(err.message).toBe('Cannot query field "nope" on type "Query".');
    expect(err.errors).toHaveLength(1);
  });

  it('prefers GraphQL errors even when they come with HTTP 400 (graphene validation errors)', async () => {
    respond({ errors: [{ message: 'Variable "$id" of required type "ID!" was not provided.' }] }, 400);
    const err = await caught(gql('query A($id: ID!) { a(id: $id) }'));
    expect(err.kind).toBe('graphql');
    expect(err.status).toBe(400);
    expect(err.message).toContain('was not provided');
  });

  it('maps permission and authentication error codes to friendly messages', async () => {
    respond({ data: null, errors: [{ message: 'denied', extensions: { code: 'PERMISSION_DENIED' } }] });
    const err = await caught(gql('query A { a }'));
    expect(err.code).toBe('PERMISSION_DENIED');
    expect(err.message).toBe('You do not have permission to do that.');

    respond({ data: null, errors: [{ message: 'x', extensions: { code: 'NOT_AUTHENTICATED' } }] });
    const err2 = await caught(gql('query A { a }'));
    expect(err2.isAuthError).toBe(true);
    expect(err2.message).toMatch(/sign in again/i);
  });

  it('announces session problems so the app can send the person back to sign-in', async () => {
    const seen: unknown[] = [];
    const listener = (e: Event) => seen.push((e as CustomEvent).detail);
    window.addEventListener(SESSION_PROBLEM_EVENT, listener);
    try {
      respond({ data: null, errors: [{ message: 'x', extensions: { code: 'NOT_AUTHENTICATED' } }] });
      await caught(gql('query A { a }'));
      respond({ data: null, errors: [{ message: 'x', extensions: { code: 'PERMISSION_DENIED' } }] });
      await caught(gql('query A { a }'));
      respond('', 401);
      await caught(gql('query A { a }'));
    } finally {
      window.removeEventListener(SESSION_PROBLEM_EVENT, listener);
    }
    expect(seen).toHaveLength(2);
  });

  it('treats errors alongside partial data as a failure', async () => {
    respond({ data: { a: 1, b: null }, errors: [{ message: 'b failed', path: ['b'] }] });
    const err = await caught(gql('query A { a b }'));
    expect(err.message).toBe('b failed');
    expect(err.errors[0]?.path).toEqual(['b']);
  });

  it.each([
    [500, /server had a problem \(HTTP 500\)/],
    [502, /unavailable right now \(HTTP 502\)/],
    [403, /refused.*security token/],
    [404, /HTTP 404/],
  ])('maps HTTP %i without a GraphQL body to a clear message', async (status, pattern) => {
    respond('<html>Server Error</html>', status);
    const err = await caught(gql('query A { a }'));
    expect(err.kind).toBe('http');
    expect(err.status).toBe(status);
    expect(err.message).toMatch(pattern);
  });

  it('reports network failures', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    const err = await caught(gql('query A { a }'));
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/could not reach the server/i);
  });

  it('reports a 200 response that is not GraphQL JSON', async () => {
    respond('<!doctype html><html></html>', 200);
    const err = await caught(gql('query A { a }'));
    expect(err.kind).toBe('parse');
  });
});

describe('helpers', () => {
  it('readCookie finds a cookie among others and decodes it', () => {
    expect(readCookie('csrftoken', 'a=1; csrftoken=x%3Dy; b=2')).toBe('x=y');
    expect(readCookie('csrftoken', 'xcsrftoken=1')).toBeNull();
    expect(readCookie('csrftoken', '')).toBeNull();
  });

  it('says a request body over Django’s upload limit was too large (not the settings name)', async () => {
    respond({ errors: [{ message: 'Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.' }] }, 400);
    const err = await caught(gql('mutation ReplyToTicket { x }'));
    expect(err.message).toBe('The request was too large for the server.');
    expect(err.status).toBe(400);
  });

  it('messageForGraphQLErrors mentions how many more errors there were', () => {
    expect(messageForGraphQLErrors([{ message: 'A' }, { message: 'B' }, { message: 'C' }])).toBe('A (and 2 more errors)');
    expect(messageForGraphQLErrors([])).toMatch(/unknown error/);
  });
});
