import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IngestTokenFieldsFragment } from '../../graphql/generated';
import { mockGraphQL } from '../../test/mockGraphQL';
import { IngestTokensCard } from './IngestTokensCard';
import { pythonExample } from './ingestExample';

afterEach(() => vi.unstubAllGlobals());

function token(over: Partial<IngestTokenFieldsFragment> = {}): IngestTokenFieldsFragment {
  return {
    id: 'SW5nZXN0VG9rZW46MQ==',
    name: 'Datto RMM',
    keyId: 'ik_0123456789abcdef01234567',
    createdAt: '2026-12-01T09:00:00+00:00',
    createdByName: 'Ada Admin',
    lastUsedAt: null,
    revokedAt: null,
    revokedByName: '',
    isActive: true,
    ...over,
  };
}

describe('IngestTokensCard', () => {
  it('creates a token and shows its secret once, with a copyable signed example', async () => {
    let tokens: IngestTokenFieldsFragment[] = [];
    const created = token({ id: 'T2', name: 'NinjaOne', keyId: 'ik_new' });
    const { calls } = mockGraphQL({
      IngestTokens: () => ({ ingestTokens: tokens }),
      CreateIngestToken: () => {
        tokens = [created];
        return { createIngestToken: { token: created, secret: 'iks_supersecret', errors: [] } };
      },
    });
    render(<IngestTokensCard clientSlug="alpha" canManage />);
    expect(await screen.findByTestId('ingest-empty')).toHaveTextContent('nothing reports');
    const user = userEvent.setup();
    await user.click(screen.getByTestId('ingest-create'));
    await user.type(screen.getByTestId('ingest-name'), 'NinjaOne');
    await user.click(screen.getByTestId('ingest-create-confirm'));
    const dialog = await screen.findByTestId('ingest-secret-dialog');
    expect(within(dialog).getByTestId('ingest-new-secret')).toHaveTextContent('iks_supersecret');
    expect(dialog).toHaveTextContent('X-Ingest-Signature');
    expect(calls.find((c) => c.operationName === 'CreateIngestToken')?.variables).toEqual({ clientSlug: 'alpha', name: 'NinjaOne' });
    await user.click(within(dialog).getByRole('button', { name: 'I have stored the secret' }));
    await waitFor(() => expect(screen.queryByTestId('ingest-secret-dialog')).toBeNull());
    // Gone for good: the card lists the key, never the secret.
    expect(await screen.findByText('ik_new')).toBeInTheDocument();
    expect(document.body).not.toHaveTextContent('iks_supersecret');
  });

  it('shows why a token was not created', async () => {
    mockGraphQL({
      IngestTokens: () => ({ ingestTokens: [] }),
      CreateIngestToken: () => ({
        createIngestToken: { token: null, secret: null, errors: [{ field: 'name', code: 'REQUIRED', message: 'Name the token.' }] },
      }),
    });
    render(<IngestTokensCard clientSlug="alpha" canManage />);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('ingest-create'));
    await user.click(screen.getByTestId('ingest-create-confirm'));
    expect(await screen.findByText('Name the token.')).toBeInTheDocument();
    expect(screen.queryByTestId('ingest-secret-dialog')).toBeNull();
  });

  it('revokes a token after a confirmation', async () => {
    let tokens = [token()];
    mockGraphQL({
      IngestTokens: () => ({ ingestTokens: tokens }),
      RevokeIngestToken: (v) => {
        tokens = [token({ isActive: false, revokedAt: '2026-12-03T10:00:00+00:00', revokedByName: 'Tom Tech' })];
        expect(v).toEqual({ id: 'SW5nZXN0VG9rZW46MQ==' });
        return { revokeIngestToken: { token: tokens[0], errors: [] } };
      },
    });
    render(<IngestTokensCard clientSlug="alpha" canManage />);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('ingest-revoke'));
    await user.click(within(screen.getByTestId('ingest-revoke-dialog')).getByTestId('ingest-revoke-confirm'));
    await waitFor(() => expect(screen.getByTestId('ingest-token')).toHaveTextContent('Revoked'));
    expect(screen.getByTestId('ingest-token')).toHaveTextContent('by Tom Tech');
    expect(screen.queryByTestId('ingest-revoke')).toBeNull();
  });

  it('lets account managers look without changing anything', async () => {
    mockGraphQL({ IngestTokens: () => ({ ingestTokens: [token({ lastUsedAt: '2026-12-03T10:00:00+00:00' })] }) });
    render(<IngestTokensCard clientSlug="alpha" canManage={false} />);
    expect(await screen.findByTestId('ingest-token')).toHaveTextContent('last batch');
    expect(screen.queryByTestId('ingest-create')).toBeNull();
    expect(screen.queryByTestId('ingest-revoke')).toBeNull();
  });
});

describe('pythonExample', () => {
  it('signs timestamp + "." + body with the secret, as the server checks', () => {
    const code = pythonExample('ik_x', 'iks_y', 'https://portal.example/api/ingest/v1/results');
    expect(code).toContain('KEY_ID = "ik_x"');
    expect(code).toContain('SECRET = "iks_y"');
    expect(code).toContain('timestamp.encode() + b"." + body');
    expect(code).toContain('"X-Ingest-Signature": "sha256=" + signature');
  });
});

describe('MonitoringConnectionCard', () => {
  it('tells the IT lead when the last report arrived, and when nothing reports', async () => {
    const { MonitoringConnectionCard } = await import('./MonitoringConnectionCard');
    mockGraphQL({
      MonitoringConnection: () => ({
        monitoringConnection: { connected: true, activeTokenCount: 1, lastReceivedAt: new Date(Date.now() - 180_000).toISOString() },
      }),
    });
    const { unmount } = render(<MonitoringConnectionCard clientSlug="alpha" />);
    expect(await screen.findByTestId('monitoring-last-report')).toHaveTextContent('Last report');
    expect(screen.getByTestId('monitoring-connection')).toHaveTextContent('Connected');
    expect(screen.getByTestId('monitoring-connection')).not.toHaveTextContent('ik_');
    unmount();
    vi.unstubAllGlobals();
    mockGraphQL({ MonitoringConnection: () => ({ monitoringConnection: { connected: false, activeTokenCount: 0, lastReceivedAt: null } }) });
    render(<MonitoringConnectionCard clientSlug="alpha" />);
    expect(await screen.findByText(/doesn’t report to this portal yet/)).toBeInTheDocument();
    expect(screen.getByTestId('monitoring-connection')).toHaveTextContent('Not connected');
  });
});
