import { useEffect, useState } from 'react';
import { Card } from '../../components/Card';
import { QueryError } from '../../components/QueryError';
import { Alert, Badge, Button, EmptyState, Skeleton } from '../../components/ui';
import type {
  RunStripeReconciliationMutation,
  StripeDifferenceKind,
  StripeOverviewQuery,
  StripeReconciliationFieldsFragment,
} from '../../graphql/generated';
import { useMutation, useQuery } from '../../graphql/hooks';
import { RUN_STRIPE_RECONCILIATION_MUTATION, STRIPE_OVERVIEW_QUERY } from '../../graphql/operations';
import { formatDateTime } from '../../lib/format';
import './stripe.css';

/** How each kind of difference reads in the report. */
export const DIFFERENCE_LABELS: Record<StripeDifferenceKind, string> = {
  STATUS: 'Status differs',
  AMOUNT_PAID: 'Amount paid differs',
  TOTAL: 'Total differs',
  CURRENCY: 'Currency differs',
  MISSING_AT_STRIPE: 'Missing at Stripe',
  MISSING_IN_LEDGER: 'Not in the ledger',
  UNMATCHED_EVENT: 'Webhook for an unknown invoice',
  EVENT_NEEDS_REVIEW: 'Webhook not applied',
};

const POLL_WHILE_RUNNING_MS = 5000;

function ReportSummary({ report }: { report: StripeReconciliationFieldsFragment }) {
  if (report.status === 'RUNNING') return <span>Running since {formatDateTime(report.startedAt)}…</span>;
  if (report.status === 'FAILED') return <span>Failed {formatDateTime(report.finishedAt ?? report.startedAt)}: {report.error}</span>;
  return (
    <span>
      {formatDateTime(report.finishedAt ?? report.startedAt)}: {report.invoicesChecked} ledger invoices and{' '}
      {report.stripeInvoicesSeen} Stripe invoices compared,{' '}
      <strong>{report.differenceCount === 0 ? 'no differences' : `${report.differenceCount} difference${report.differenceCount === 1 ? '' : 's'}`}</strong>
    </span>
  );
}

/**
 * The billing runs page's Stripe panel (MSP admins): whether Stripe is on, webhooks waiting
 * for a person, and the latest reconciliation's differences. Nothing here changes the
 * ledger; a person decides what to correct in the portal or at Stripe.
 */
export function StripeReconciliationPanel() {
  const [polling, setPolling] = useState(false);
  const q = useQuery<StripeOverviewQuery>(STRIPE_OVERVIEW_QUERY, undefined, {
    pollInterval: polling ? POLL_WHILE_RUNNING_MS : undefined,
  });
  const [run, running] = useMutation<RunStripeReconciliationMutation>(RUN_STRIPE_RECONCILIATION_MUTATION);
  const [errors, setErrors] = useState<string[]>([]);
  const overview = q.data?.stripeOverview;
  const latest = overview?.reconciliations[0];

  useEffect(() => {
    setPolling(latest?.status === 'RUNNING');
  }, [latest?.status]);

  async function start() {
    setErrors([]);
    const data = await run();
    const payload = data?.runStripeReconciliation;
    if (!payload) return;
    if (payload.errors.length > 0) {
      setErrors(payload.errors.map((e) => e.message));
      return;
    }
    setPolling(true);
    await q.refetch();
  }

  const general = [...errors, ...(running.error ? [running.error.message] : [])];

  return (
    <Card
      headingId="stripe-reconciliation-heading"
      title="Stripe reconciliation"
      testId="stripe-reconciliation"
      aside={
        overview && (
          <Badge tone={overview.enabled ? 'green' : 'grey'}>{overview.enabled ? 'Stripe on' : 'Stripe off: manual payments'}</Badge>
        )
      }
    >
      {q.error && !overview ? (
        <div className="pad">
          <QueryError title="Couldn’t load the Stripe reconciliation" error={q.error} onRetry={q.refetch} retrying={q.loading} />
        </div>
      ) : !overview ? (
        <div className="pad stack-sm" aria-busy="true">
          <Skeleton width="50%" />
          <Skeleton width="80%" />
        </div>
      ) : (
        <div className="pad stack-sm">
          {!overview.enabled ? (
            <p className="muted">
              No Stripe key is configured (STRIPE_API_KEY), so invoices are paid by hand and there is nothing to reconcile.
            </p>
          ) : (
            <>
              {!overview.webhookConfigured && (
                <Alert tone="warning" title="Webhooks are off">
                  Set STRIPE_WEBHOOK_SECRET and point a Stripe webhook endpoint at {overview.webhookPath} on the MSP host, or
                  payments made at Stripe never reach the ledger.
                </Alert>
              )}
              {overview.eventsNeedingAttention > 0 && (
                <Alert tone="warning">
                  {overview.eventsNeedingAttention} Stripe webhook{overview.eventsNeedingAttention === 1 ? ' was' : 's were'} stored
                  but not applied; they are listed in the next reconciliation.
                </Alert>
              )}
              {general.length > 0 && <Alert>{general.join(' ')}</Alert>}
              <div className="row gap-sm">
                <Button
                  variant="secondary"
                  size="sm"
                  loading={running.loading}
                  disabled={latest?.status === 'RUNNING'}
                  onClick={() => void start()}
                >
                  Reconcile now
                </Button>
                <span className="small muted" data-testid="stripe-reconciliation-summary">
                  {latest ? <ReportSummary report={latest} /> : 'No reconciliation yet: one runs every night.'}
                </span>
              </div>
              {latest && latest.status === 'COMPLETED' && latest.differenceCount === 0 && (
                <EmptyState title="Stripe and the ledger agree">Every invoice has the same status and amounts on both sides.</EmptyState>
              )}
              {latest && latest.differences.length > 0 && (
                <div className="stripe-differences">
                  <table className="table table-mini" aria-label="Differences between Stripe and the ledger">
                    <thead>
                      <tr>
                        <th scope="col">Difference</th>
                        <th scope="col">Invoice</th>
                        <th scope="col">Ledger</th>
                        <th scope="col">Stripe</th>
                        <th scope="col">What to check</th>
                      </tr>
                    </thead>
                    <tbody>
                      {latest.differences.map((d) => (
                        <tr key={d.id}>
                          <td>{DIFFERENCE_LABELS[d.kind]}</td>
                          <td>
                            {d.invoiceNumber ?? '—'}
                            {d.clientName && <div className="small muted">{d.clientName}</div>}
                            {d.stripeInvoiceId && <div className="small muted mono">{d.stripeInvoiceId}</div>}
                          </td>
                          <td className="tabular">{d.ledgerValue || '—'}</td>
                          <td className="tabular">{d.stripeValue || '—'}</td>
                          <td>{d.detail}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  {latest.differenceCount > latest.differences.length && (
                    <p className="small muted">
                      Showing the first {latest.differences.length} of {latest.differenceCount} differences.
                    </p>
                  )}
                </div>
              )}
            </>
          )}
        </div>
      )}
    </Card>
  );
}
