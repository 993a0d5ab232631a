import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StripeOverviewQuery, StripeReconciliationFieldsFragment } from '../../graphql/generated';
import { mockGraphQL } from '../../test/mockGraphQL';
import { StripeReconciliationPanel } from './StripeReconciliationPanel';

afterEach(() => vi.unstubAllGlobals());

const REPORT: StripeReconciliationFieldsFragment = {
  id: '7',
  status: 'COMPLETED',
  startedAt: '2026-12-03T04:20:00Z',
  finishedAt: '2026-12-03T04:20:09Z',
  invoicesChecked: 120,
  stripeInvoicesSeen: 121,
  differenceCount: 2,
  error: '',
  differences: [
    {
      id: '1',
      kind: 'STATUS',
      invoiceNumber: 'INV-00042',
      clientName: 'Alpha Health',
      stripeInvoiceId: 'in_123',
      stripeEventId: '',
      ledgerValue: 'void',
      stripeValue: 'open',
      detail: 'INV-00042 is void in the ledger, open at Stripe.',
    },
    {
      id: '2',
      kind: 'MISSING_IN_LEDGER',
      invoiceNumber: null,
      clientName: null,
      stripeInvoiceId: 'in_999',
      stripeEventId: '',
      ledgerValue: '',
      stripeValue: 'open 5.00',
      detail: 'Stripe invoice in_999 is not one of the portal’s invoices.',
    },
  ],
};

function overview(overrides: Partial<StripeOverviewQuery['stripeOverview']> = {}): StripeOverviewQuery {
  return {
    stripeOverview: {
      enabled: true,
      webhookConfigured: true,
      webhookPath: '/api/stripe/webhook',
      eventsNeedingAttention: 0,
      reconciliations: [REPORT],
      ...overrides,
    },
  };
}

describe('StripeReconciliationPanel', () => {
  it('lists every difference of the latest report', async () => {
    mockGraphQL({ StripeOverview: () => overview() });
    render(<StripeReconciliationPanel />);
    expect(await screen.findByText('Status differs')).toBeInTheDocument();
    expect(screen.getByText('Not in the ledger')).toBeInTheDocument();
    expect(screen.getByText('INV-00042 is void in the ledger, open at Stripe.')).toBeInTheDocument();
    expect(screen.getByTestId('stripe-reconciliation-summary')).toHaveTextContent('2 differences');
  });

  it('says Stripe is off and offers nothing to run without a key', async () => {
    mockGraphQL({ StripeOverview: () => overview({ enabled: false, reconciliations: [] }) });
    render(<StripeReconciliationPanel />);
    expect(await screen.findByText(/invoices are paid by hand/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Reconcile now' })).not.toBeInTheDocument();
  });

  it('warns when webhooks are off or events wait for a person', async () => {
    mockGraphQL({ StripeOverview: () => overview({ webhookConfigured: false, eventsNeedingAttention: 3 }) });
    render(<StripeReconciliationPanel />);
    expect(await screen.findByText('Webhooks are off')).toBeInTheDocument();
    expect(screen.getByText(/3 Stripe webhooks were stored/)).toBeInTheDocument();
  });

  it('starts a reconciliation and shows a typed refusal', async () => {
    const mock = mockGraphQL({
      StripeOverview: () => overview(),
      RunStripeReconciliation: () => ({
        runStripeReconciliation: {
          reconciliation: null,
          errors: [{ field: null, code: 'ALREADY_RUNNING', message: 'A reconciliation is running; its report appears here.' }],
        },
      }),
    });
    render(<StripeReconciliationPanel />);
    await userEvent.click(await screen.findByRole('button', { name: 'Reconcile now' }));
    expect(await screen.findByText('A reconciliation is running; its report appears here.')).toBeInTheDocument();
    await waitFor(() => expect(mock.ops()).toContain('RunStripeReconciliation'));
  });
});
