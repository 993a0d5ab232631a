/**
 * A small typed GraphQL client over `fetch`.
 *
 * - POSTs JSON to /graphql/ with the session cookie (`credentials: 'same-origin'`).
 * - Sends Django's CSRF token from the `csrftoken` cookie as `X-CSRFToken`
 *   (read on every request: Django rotates it on login).
 * - Turns every failure into a `GraphQLRequestError` whose `message` is safe
 *   and useful to show to a user; the raw details stay on the error object.
 */

export const GRAPHQL_ENDPOINT = '/graphql/';

export type GraphQLErrorItem = {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
};

export type RequestErrorKind = 'network' | 'http' | 'graphql' | 'parse' | 'aborted';

export class GraphQLRequestError extends Error {
  override readonly name = 'GraphQLRequestError';
  readonly kind: RequestErrorKind;
  readonly status: number | undefined;
  readonly errors: readonly GraphQLErrorItem[];

  constructor(
    kind: RequestErrorKind,
    message: string,
    opts: { status?: number; errors?: readonly GraphQLErrorItem[]; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.kind = kind;
    this.status = opts.status;
    this.errors = opts.errors ?? [];
  }

  /** The first `extensions.code` the server sent, if any (e.g. "PERMISSION_DENIED"). */
  get code(): string | undefined {
    for (const e of this.errors) {
      const code = e.extensions?.['code'];
      if (typeof code === 'string') return code;
    }
    return undefined;
  }

  /** True when the server says the session is gone / not signed in. */
  get isAuthError(): boolean {
    if (this.status === 401) return true;
    const code = this.code;
    return code === 'NOT_AUTHENTICATED' || code === 'UNAUTHENTICATED';
  }
}

/** A document string that carries its result and variable types (optional sugar). */
export type TypedQuery<TData, TVars> = string & { readonly __types?: [TData, TVars] };

export function readCookie(name: string, cookieString: string = document.cookie): string | null {
  for (const part of cookieString.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return null;
}

export function csrfToken(): string | null {
  return readCookie('csrftoken');
}

export const REQUEST_TOO_LARGE = 'The request was too large for the server.';

function httpMessage(status: number): string {
  if (status === 401) return 'Your session has ended. Please sign in again.';
  if (status === 403)
    return 'The request was refused (the security token may have expired). Reload the page and try again.';
  if (status === 404) return 'The API endpoint could not be found (HTTP 404).';
  if (status === 413) return REQUEST_TOO_LARGE;
  if (status === 429) return 'Too many requests. Wait a moment and try again.';
  if (status === 502 || status === 503 || status === 504)
    return `The server is unavailable right now (HTTP ${status}). Try again in a moment.`;
  if (status >= 500) return `The server had a problem (HTTP ${status}). Try again, and contact support if it keeps happening.`;
  return `The request failed (HTTP ${status}).`;
}

/** Map GraphQL `errors` to one user-facing sentence. */
export function messageForGraphQLErrors(errors: readonly GraphQLErrorItem[]): string {
  const first = errors[0];
  if (!first) return 'The server returned an unknown error.';
  const code = first.extensions?.['code'];
  if (code === 'NOT_AUTHENTICATED' || code === 'UNAUTHENTICATED') return 'Your session has ended. Please sign in again.';
  if (code === 'PERMISSION_DENIED' || code === 'FORBIDDEN') return 'You do not have permission to do that.';
  if (code === 'OTP_REQUIRED') return 'Two-factor verification is required before you can see this.';
  // Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE before graphene sees it (HTTP 400).
  if (/DATA_UPLOAD_MAX_MEMORY_SIZE/.test(first.message ?? '')) return REQUEST_TOO_LARGE;
  const msg = (first.message || '').trim() || 'The server returned an error.';
  return errors.length > 1 ? `${msg} (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : msg;
}

type Variables = Record<string, unknown>;

export type GqlOptions = { signal?: AbortSignal; endpoint?: string };

/**
 * Run one GraphQL operation and return its `data`.
 * Throws `GraphQLRequestError` on network/HTTP/parse failures or if the
 * response has a non-empty `errors` array.
 */
export async function gql<TData, TVars extends Variables = Variables>(
  query: string | TypedQuery<TData, TVars>,
  variables?: TVars,
  options: GqlOptions = {},
): Promise<TData> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
  };
  const token = csrfToken();
  if (token) headers['X-CSRFToken'] = token;

  let response: Response;
  try {
    response = await fetch(options.endpoint ?? GRAPHQL_ENDPOINT, {
      method: 'POST',
      credentials: 'same-origin',
      headers,
      body: JSON.stringify({ query, variables: variables ?? {} }),
      signal: options.signal,
    });
  } catch (err) {
    if (isAbort(err)) throw new GraphQLRequestError('aborted', 'The request was cancelled.', { cause: err });
    throw new GraphQLRequestError(
      'network',
      'Could not reach the server. Check your connection and try again.',
      { cause: err },
    );
  }

  let body: unknown = undefined;
  const text = await response.text().catch(() => '');
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }

  const errors = extractErrors(body);
  // graphene answers validation errors with HTTP 400 + an `errors` array: prefer that message.
  if (errors.length > 0) {
    throw notify(
      new GraphQLRequestError('graphql', messageForGraphQLErrors(errors), {
        status: response.status,
        errors,
      }),
    );
  }
  if (!response.ok) {
    throw notify(new GraphQLRequestError('http', httpMessage(response.status), { status: response.status }));
  }
  if (!isObject(body) || !('data' in body) || body['data'] == null) {
    throw new GraphQLRequestError('parse', 'The server sent a response the app could not understand.', {
      status: response.status,
    });
  }
  return body['data'] as TData;
}

/**
 * Fired on `window` when the server says the session is gone or needs its
 * second factor again; the viewer context re-checks who is signed in and the
 * route guards send the person to /login.
 */
export const SESSION_PROBLEM_EVENT = 'portal:session-problem';

function notify(err: GraphQLRequestError): GraphQLRequestError {
  if ((err.isAuthError || err.code === 'OTP_REQUIRED') && typeof window !== 'undefined') {
    window.dispatchEvent(new CustomEvent(SESSION_PROBLEM_EVENT, { detail: err }));
  }
  return err;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function extractErrors(body: unknown): GraphQLErrorItem[] {
  if (!isObject(body) || !Array.isArray(body['errors'])) return [];
  return body['errors'].map((e: unknown) =>
    isObject(e)
      ? {
          message: typeof e['message'] === 'string' ? e['message'] : String(e['message'] ?? ''),
          path: Array.isArray(e['path']) ? (e['path'] as (string | number)[]) : undefined,
          extensions: isObject(e['extensions']) ? e['extensions'] : undefined,
        }
      : { message: String(e) },
  );
}

function isAbort(err: unknown): boolean {
  return isObject(err) && (err as { name?: unknown }).name === 'AbortError';
}

/** A user-facing message for anything thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof GraphQLRequestError) return err.message;
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong.';
}
