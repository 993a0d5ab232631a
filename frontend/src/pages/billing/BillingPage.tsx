import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Card } from '../../components/Card';
import { QueryError } from '../../components/QueryError';
import { Alert, Badge, Button, EmptyState, Spinner } from '../../components/ui';
import type {
  BillingDashboardQuery,
  BillingDashboardQueryVariables,
  StartBillingRunMutation,
  StartBillingRunMutationVariables,
} from '../../graphql/generated';
import { useMutation, useQuery } from '../../graphql/hooks';
import { BILLING_DASHBOARD_QUERY, START_BILLING_RUN_MUTATION } from '../../graphql/operations';
import { formatDate, formatDateTime } from '../../lib/format';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { useViewer } from '../../auth/ViewerContext';
import { BarList, MrrChart, ProgressBar } from './BillingCharts';
import { StripeReconciliationPanel } from './StripeReconciliationPanel';
import { formatMoney } from './billing';
import './billing.css';

const BUCKETS = ['0-30', '31-60', '61-90', '90+'];

/** MSP: MRR by service line and by client, AR ageing, and the billing runs. */
export function BillingPage() {
  useDocumentTitle('Billing');
  const { viewer } = useViewer();
  // The Stripe reconciliation is for MSP admins (account managers see the rest of the page).
  const isAdmin = viewer?.mspRole === 'ADMIN';
  const navigate = useNavigate();
  const q = useQuery<BillingDashboardQuery, BillingDashboardQueryVariables>(BILLING_DASHBOARD_QUERY, { months: 12 });
  const [start, started] = useMutation<StartBillingRunMutation, StartBillingRunMutationVariables>(START_BILLING_RUN_MUTATION);
  const [problem, setProblem] = useState<string | null>(null);
  const dashboard = q.data?.billingDashboard;
  const currencies = [...new Set((dashboard?.mrrByServiceLine ?? []).map((p) => p.currency))].sort();

  async function startToday() {
    setProblem(null);
    const result = await start({});
    const payload = result?.startBillingRun;
    if (payload?.run) navigate(`/billing/runs/${payload.run.id}`);
    else setProblem(payload?.errors[0]?.message ?? started.error?.message ?? 'The run could not be started.');
  }

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title" data-testid="billing-page">
            Billing
          </h1>
          <p className="page-subtitle">Recurring revenue, what clients owe, and the monthly runs to review.</p>
        </div>
        <Button variant="primary" onClick={() => void startToday()} loading={started.loading}>
          Run today’s billing
        </Button>
      </div>
      {problem && <Alert tone="error">{problem}</Alert>}
      {q.error && !q.data ? (
        <QueryError title="Couldn’t load billing" error={q.error} onRetry={q.refetch} retrying={q.loading} />
      ) : !dashboard ? (
        <Spinner label="Loading billing" />
      ) : (
        <>
          <Card headingId="mrr-heading" title="Monthly recurring revenue by service line">
            {currencies.length === 0 ? (
              <p className="muted small pad">No issued invoices in the last 12 months.</p>
            ) : (
              currencies.map((currency) => (
                <MrrChart key={currency} points={dashboard.mrrByServiceLine} currency={currency} />
              ))
            )}
          </Card>
          <div className="billing-grid">
            <Card headingId="clients-mrr-heading" title="MRR by client">
              <BarList
                label="Monthly recurring revenue by client, latest month"
                testId="mrr-by-client"
                rows={dashboard.mrrByClient.slice(0, 15).map((row) => ({
                  key: `${row.clientSlug}-${row.currency}`,
                  label: row.clientName,
                  value: Number(row.amount),
                  text: formatMoney(row.amount, row.currency),
                }))}
              />
            </Card>
            <Card headingId="ageing-heading" title="Receivables by age (days past due)">
              {dashboard.arAgeing.length === 0 ? (
                <p className="muted small pad">Nothing is owed.</p>
              ) : (
                [...new Set(dashboard.arAgeing.map((r) => r.currency))].map((currency) => (
                  <BarList
                    key={currency}
                    tone="ageing"
                    label={`Open balances by age in ${currency}`}
                    testId="ar-ageing"
                    rows={BUCKETS.map((bucket) => {
                      const row = dashboard.arAgeing.find((r) => r.currency === currency && r.bucket === bucket);
                      return {
                        key: bucket,
                        label: `${bucket} days`,
                        value: Number(row?.amount ?? 0),
                        text: `${formatMoney(row?.amount ?? '0', currency)} · ${row?.invoices ?? 0}`,
                      };
                    })}
                  />
                ))
              )}
            </Card>
          </div>
          <Card
            headingId="runs-heading"
            title="Billing runs"
            aside={dashboard.draftsToReview ? <Badge tone="amber">{dashboard.draftsToReview} to review</Badge> : undefined}
          >
            {q.data?.billingRuns.length === 0 ? (
              <EmptyState title="No runs yet">The daily run drafts invoices for clients whose billing day it is.</EmptyState>
            ) : (
              <div className="table-scroll">
                <table className="billing-table" data-testid="billing-runs">
                  <thead>
                    <tr>
                      <th scope="col">Run</th>
                      <th scope="col">Started</th>
                      <th scope="col">Progress</th>
                      <th scope="col" className="num">To review</th>
                      <th scope="col" className="num">Failed</th>
                    </tr>
                  </thead>
                  <tbody>
                    {q.data?.billingRuns.map((run) => (
                      <tr key={run.id}>
                        <td>
                          <Link to={`/billing/runs/${run.id}`}>{formatDate(run.runOn)}</Link>
                        </td>
                        <td className="small">
                          {formatDateTime(run.createdAt)} · {run.startedBy ?? run.trigger}
                        </td>
                        <td>
                          <ProgressBar done={run.progress.done} total={run.progress.total} label={`Run of ${formatDate(run.runOn)}`} />
                        </td>
                        <td className="num">{run.progress.draft + run.progress.approved}</td>
                        <td className="num">{run.progress.failed}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Card>
          {isAdmin && <StripeReconciliationPanel />}
        </>
      )}
    </div>
  );
}
