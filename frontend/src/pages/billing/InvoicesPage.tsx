import { Link } from 'react-router';
import { useViewer } from '../../auth/ViewerContext';
import { Card } from '../../components/Card';
import { QueryError } from '../../components/QueryError';
import { Badge, EmptyState, Spinner } from '../../components/ui';
import type {
  ClientBillingOverviewQuery,
  ClientBillingOverviewQueryVariables,
  ClientInvoicesQuery,
  ClientInvoicesQueryVariables,
} from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { CLIENT_BILLING_OVERVIEW_QUERY, CLIENT_INVOICES_QUERY } from '../../graphql/operations';
import { formatDate } from '../../lib/format';
import { clientUserSlug } from '../../lib/tickets';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { INVOICE_STATUS_LABEL, INVOICE_STATUS_TONE, formatMinutes, formatMoney, periodLabel } from './billing';
import './billing.css';

type Invoice = ClientInvoicesQuery['invoices'][number];

/** The invoices table: status, amounts, the PDF, and Pay when online payment is offered. */
export function InvoiceTable({ invoices, showClient = false }: { invoices: readonly Invoice[]; showClient?: boolean }) {
  if (!invoices.length) {
    return <p className="muted small pad">No invoices yet.</p>;
  }
  return (
    <div className="table-scroll">
      <table className="billing-table" data-testid="invoice-table">
        <thead>
          <tr>
            <th scope="col">Invoice</th>
            {showClient && <th scope="col">Client</th>}
            <th scope="col" className="hide-narrow">Period</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">Total</th>
            <th scope="col" className="num hide-narrow">Due</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {invoices.map((invoice) => (
            <tr key={invoice.id}>
              <td className="mono">{invoice.number ?? 'Draft'}</td>
              {showClient && <td>{invoice.clientName}</td>}
              <td className="hide-narrow">{periodLabel(invoice.periodStart, invoice.periodEnd)}</td>
              <td>
                <Badge tone={invoice.isOverdue ? 'amber' : INVOICE_STATUS_TONE[invoice.status]}>
                  {invoice.isOverdue ? 'Overdue' : INVOICE_STATUS_LABEL[invoice.status]}
                </Badge>
              </td>
              <td className="num">
                {formatMoney(invoice.total, invoice.currency)}
                {invoice.balance !== invoice.total && invoice.status !== 'VOID' && (
                  <div className="small muted">{formatMoney(invoice.balance, invoice.currency)} open</div>
                )}
              </td>
              <td className="num hide-narrow">{formatDate(invoice.dueOn)}</td>
              <td>
                <div className="billing-actions">
                  <a className="btn btn-secondary btn-sm" href={invoice.pdfUrl} target="_blank" rel="noreferrer">
                    PDF<span className="sr-only"> of invoice {invoice.number ?? 'draft'}</span>
                  </a>
                  {invoice.payUrl && (
                    <a className="btn btn-primary btn-sm" href={invoice.payUrl} target="_blank" rel="noreferrer" data-testid="pay-button">
                      Pay<span className="sr-only"> invoice {invoice.number}</span>
                    </a>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Block hours, this period's covered vs billable time, and SLA credits with why. */
export function BillingOverview({ clientSlug }: { clientSlug?: string }) {
  const q = useQuery<ClientBillingOverviewQuery, ClientBillingOverviewQueryVariables>(CLIENT_BILLING_OVERVIEW_QUERY, { clientSlug });
  if (q.error && !q.data) return <QueryError title="Couldn’t load block hours and credits" error={q.error} onRetry={q.refetch} />;
  if (!q.data) return <Spinner label="Loading block hours" />;
  const block = q.data.blockHourBalance;
  const credits = q.data.slaCredits;
  return (
    <div className="billing-grid">
      <Card headingId="block-heading" title="Block hours this period" testId="block-hours">
        {block.description ? (
          <>
            <p className="small muted pad">
              {block.description} · {periodLabel(block.periodStart, block.periodEnd)}
            </p>
            <div className="billing-stat-row">
              <div className="billing-stat">
                <span className="billing-stat-value">{formatMinutes(block.usedMinutes)}</span>
                <span className="billing-stat-label">used</span>
              </div>
              <div className="billing-stat">
                <span className="billing-stat-value">{formatMinutes(block.leftMinutes)}</span>
                <span className="billing-stat-label">left</span>
              </div>
              <div className="billing-stat">
                <span className="billing-stat-value">{formatMinutes(block.rolledInMinutes)}</span>
                <span className="billing-stat-label">rolled over</span>
              </div>
              <div className="billing-stat">
                <span className="billing-stat-value">{formatMinutes(block.billableMinutes)}</span>
                <span className="billing-stat-label">over the block</span>
              </div>
            </div>
          </>
        ) : (
          <p className="muted small pad">Your contract has no block of hours.</p>
        )}
        <p className="small pad">
          This period: <strong>{formatMinutes(block.coveredMinutes + block.nonBillableMinutes)}</strong> covered by your contract,{' '}
          <strong>{formatMinutes(block.billableMinutes)}</strong> billable
          {block.billableMinutes > 0 && block.description ? ` at ${formatMoney(block.overageRate, block.currency)} an hour` : ''}.
        </p>
        {block.history.length > 0 && (
          <div className="table-scroll">
            <table className="billing-table">
              <caption className="sr-only">Block hours by billed period</caption>
              <thead>
                <tr>
                  <th scope="col">Period</th>
                  <th scope="col" className="num">Used</th>
                  <th scope="col" className="num">Rolled</th>
                  <th scope="col" className="num">Over</th>
                  <th scope="col" className="num">Unused</th>
                </tr>
              </thead>
              <tbody>
                {block.history.map((row) => (
                  <tr key={row.periodStart}>
                    <td>{periodLabel(row.periodStart, row.periodEnd)}</td>
                    <td className="num">{formatMinutes(row.usedMinutes)}</td>
                    <td className="num">{formatMinutes(row.fromRolloverMinutes)}</td>
                    <td className="num">{formatMinutes(row.overageMinutes)}</td>
                    <td className="num">{formatMinutes(row.unusedMinutes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Card headingId="credits-heading" title="SLA credits" testId="sla-credits">
        {credits.length === 0 ? (
          <p className="muted small pad">No SLA credits: the agreed service levels were met (or too few requests were judged).</p>
        ) : (
          <ul className="pad credit-list">
            {credits.map((credit) => (
              <li key={`${credit.invoiceId}-${credit.why}`} className="credit-why">
                <strong>{formatMoney(credit.amount, credit.currency)}</strong> on {credit.invoiceNumber} (
                {periodLabel(credit.periodStart, credit.periodEnd)}): {credit.why}
              </li>
            ))}
          </ul>
        )}
        <p className="small pad">
          <Link to="/compliance">See SLA compliance month by month</Link>
        </p>
      </Card>
    </div>
  );
}

/** Client portal: invoices, block hours, covered vs billable time and SLA credits. */
export function InvoicesPage() {
  useDocumentTitle('Invoices');
  const { viewer } = useViewer();
  const clientSlug = clientUserSlug(viewer);
  const q = useQuery<ClientInvoicesQuery, ClientInvoicesQueryVariables>(CLIENT_INVOICES_QUERY, { clientSlug });
  const denied = q.error?.code === 'PERMISSION_DENIED';
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title" data-testid="invoices-page">
            Invoices
          </h1>
          <p className="page-subtitle">What your MSP billed, what is open, and the hours in your contract.</p>
        </div>
      </div>
      {denied ? (
        <EmptyState title="Billing isn’t shared with you">Ask your company’s IT lead for access to billing.</EmptyState>
      ) : q.error && !q.data ? (
        <QueryError title="Couldn’t load invoices" error={q.error} onRetry={q.refetch} retrying={q.loading} />
      ) : !q.data ? (
        <Spinner label="Loading invoices" />
      ) : (
        <>
          <Card headingId="invoices-heading" title={<>Invoices <span className="count">{q.data.invoices.length}</span></>}>
            <InvoiceTable invoices={q.data.invoices} />
          </Card>
          <BillingOverview clientSlug={clientSlug} />
        </>
      )}
    </div>
  );
}
