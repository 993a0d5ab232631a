import { vi } from 'vitest';
import type { ViewerFieldsFragment } from '../graphql/generated';

export type GraphQLCall = { operationName: string; variables: Record<string, unknown>; headers: Record<string, string> };
type Handler = (variables: Record<string, unknown>) => unknown;

/**
 * Replace global fetch with a fake /graphql/ endpoint. Handlers are keyed by
 * operation name and return `data` (or `{ __errors: [...] }` to send GraphQL errors).
 */
export function mockGraphQL(handlers: Record<string, Handler>) {
  const calls: GraphQLCall[] = [];
  const fetchMock = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body ?? '{}')) as { query: string; variables?: Record<string, unknown> };
    const operationName = /\b(?:query|mutation)\s+(\w+)/.exec(body.query)?.[1] ?? '<anonymous>';
    const variables = body.variables ?? {};
    calls.push({ operationName, variables, headers: { ...(init?.headers as Record<string, string>) } });
    const handler = handlers[operationName];
    if (!handler) {
      return new Response(JSON.stringify({ errors: [{ message: `No mock for ${operationName}` }] }), { status: 200 });
    }
    const result = handler(variables) as { __errors?: unknown[] } | undefined;
    if (result && typeof result === 'object' && '__errors' in result) {
      return new Response(JSON.stringify({ data: null, errors: result.__errors }), { status: 200 });
    }
    return new Response(JSON.stringify({ data: result }), { status: 200, headers: { 'Content-Type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock, ops: () => calls.map((c) => c.operationName) };
}

export function makeViewer(overrides: Partial<ViewerFieldsFragment> = {}): ViewerFieldsFragment {
  return {
    id: 'U1',
    email: 'tess@msp.example',
    fullName: 'Tess Tech',
    mspRole: 'TECHNICIAN',
    isMspStaff: true,
    otpEnrolled: true,
    otpVerified: true,
    otpRequired: true,
    canProvisionClients: false,
    memberships: [],
    currentClient: null,
    mspWorkspaceUrl: null,
    onClientPortal: false,
    ...overrides,
  };
}
