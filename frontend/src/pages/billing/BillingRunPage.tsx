import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { Card } from '../../components/Card';
import { QueryError } from '../../components/QueryError';
import { Alert, Badge, Button, EmptyState, Spinner, TextField } from '../../components/ui';
import type {
  AdjustUsageMutation,
  AdjustUsageMutationVariables,
  ApproveRunItemMutation,
  ApproveRunItemMutationVariables,
  BillingRunQuery,
  BillingRunQueryVariables,
  IssueRunItemMutation,
  IssueRunItemMutationVariables,
  RedraftRunItemMutation,
  RedraftRunItemMutationVariables,
} from '../../graphql/generated';
import { useMutation, useQuery } from '../../graphql/hooks';
import {
  ADJUST_USAGE_MUTATION,
  APPROVE_RUN_ITEM_MUTATION,
  BILLING_RUN_QUERY,
  ISSUE_RUN_ITEM_MUTATION,
  REDRAFT_RUN_ITEM_MUTATION,
} from '../../graphql/operations';
import { formatDate } from '../../lib/format';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { ProgressBar } from './BillingCharts';
import { RUN_ITEM_STATUS_LABEL, driftTone, formatMoney, periodLabel } from './billing';
import './billing.css';

type Item = NonNullable<BillingRunQuery['billingRun']>['items'][number];
type Snapshot = Item['snapshots'][number];

const KIND_LABEL: Record<Snapshot['kind'], string> = { SEATS: 'Seats', DEVICES: 'Devices', MINUTES: 'Minutes' };

function AdjustForm({ snapshot, onDone }: { snapshot: Snapshot; onDone: () => void }) {
  const [quantity, setQuantity] = useState(snapshot.billed);
  const [reason, setReason] = useState('');
  const [adjust, state] = useMutation<AdjustUsageMutation, AdjustUsageMutationVariables>(ADJUST_USAGE_MUTATION);
  const [errors, setErrors] = useState<Record<string, string>>({});
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const result = await adjust({ snapshotId: snapshot.id, quantity, reason });
    const problems = result?.adjustUsage.errors ?? [];
    if (result && !problems.length) {
      setReason('');
      setErrors({});
      onDone();
    } else {
      setErrors(Object.fromEntries(problems.map((e) => [e.field ?? 'form', e.message])));
    }
  }
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label={`Adjust ${snapshot.lineDescription}`}>
      <TextField label="Bill" value={quantity} onChange={(e) => setQuantity(e.target.value)} inputMode="decimal" error={errors.quantity} size={8} />
      <TextField label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} error={errors.reason} required maxLength={300} />
      <Button type="submit" size="sm" loading={state.loading}>
        Adjust
      </Button>
      {errors.form && <span className="small error-text">{errors.form}</span>}
    </form>
  );
}

function RunItemCard({ item, onChanged }: { item: Item; onChanged: () => void }) {
  const [approve, approving] = useMutation<ApproveRunItemMutation, ApproveRunItemMutationVariables>(APPROVE_RUN_ITEM_MUTATION);
  const [issue, issuing] = useMutation<IssueRunItemMutation, IssueRunItemMutationVariables>(ISSUE_RUN_ITEM_MUTATION);
  const [redraft, redrafting] = useMutation<RedraftRunItemMutation, RedraftRunItemMutationVariables>(REDRAFT_RUN_ITEM_MUTATION);
  const [problem, setProblem] = useState<string | null>(null);
  const reviewable = item.status === 'DRAFT' || item.status === 'APPROVED';

  async function act(run: () => Promise<{ errors: readonly { message: string }[] } | undefined>) {
    setProblem(null);
    const payload = await run();
    if (!payload) setProblem('The request failed; try again.');
    else if (payload.errors.length) setProblem(payload.errors[0]?.message ?? 'Refused.');
    onChanged();
  }

  return (
    <article className="run-item" aria-labelledby={`item-${item.id}`} data-testid="run-item">
      <div className="run-item-head">
        <h3 id={`item-${item.id}`} className="strong">
          <Link to={`/clients/${item.clientSlug}`}>{item.clientName}</Link>{' '}
          <span className="small muted">{periodLabel(item.periodStart, item.periodEnd)}</span>
        </h3>
        <div className="billing-actions">
          <Badge tone={item.status === 'FAILED' ? 'amber' : item.status === 'ISSUED' ? 'green' : 'blue'}>{RUN_ITEM_STATUS_LABEL[item.status]}</Badge>
          {item.invoice && (
            <span className="strong">
              {formatMoney(item.invoice.total, item.invoice.currency)}{' '}
              <a href={item.invoice.pdfUrl} target="_blank" rel="noreferrer" className="small">
                PDF<span className="sr-only"> of {item.clientName}’s invoice</span>
              </a>
            </span>
          )}
          {item.status === 'DRAFT' && (
            <Button size="sm" loading={approving.loading} onClick={() => void act(async () => (await approve({ itemId: item.id }))?.approveRunItem)}>
              Approve
            </Button>
          )}
          {item.status === 'APPROVED' && (
            <Button size="sm" variant="primary" loading={issuing.loading} onClick={() => void act(async () => (await issue({ itemId: item.id }))?.issueRunItem)}>
              Issue
            </Button>
          )}
          {(item.status === 'FAILED' || item.status === 'DRAFT') && (
            <Button size="sm" variant="ghost" loading={redrafting.loading} onClick={() => void act(async () => (await redraft({ itemId: item.id }))?.redraftRunItem)}>
              Count again
            </Button>
          )}
        </div>
      </div>
      {item.error && <p className="small error-text">{item.error}</p>}
      {problem && <Alert>{problem}</Alert>}
      {item.slaJudged > 0 && (
        <p className="small muted">
          SLA: {item.slaMet} of {item.slaJudged} targets met
        </p>
      )}
      {item.snapshots.length > 0 && (
        <div className="table-scroll">
          <table className="billing-table">
            <caption className="sr-only">Counted usage of {item.clientName}</caption>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col" className="num">Live</th>
                <th scope="col" className="num">Contracted</th>
                <th scope="col" className="num">Last period</th>
                <th scope="col" className="num">Drift</th>
                <th scope="col" className="num">Billed</th>
                {reviewable && <th scope="col">Adjust</th>}
              </tr>
            </thead>
            <tbody>
              {item.snapshots.map((snap) => {
                const tone = driftTone(snap.drift);
                return (
                  <tr key={snap.id}>
                    <td>
                      {snap.lineDescription} <span className="small muted">({KIND_LABEL[snap.kind]})</span>
                      {snap.adjusted && (
                        <div className="small">
                          Adjusted by {snap.adjustedBy}: {snap.adjustmentReason}
                        </div>
                      )}
                    </td>
                    <td className="num">{snap.liveCount ?? <span className="small muted">no device inventory yet</span>}</td>
                    <td className="num">{snap.contracted}</td>
                    <td className="num">{snap.previous ?? '—'}</td>
                    <td className={`num ${tone === 'up' ? 'drift-up' : tone === 'down' ? 'drift-down' : ''}`} data-drift={tone}>
                      {snap.drift === null ? '—' : Number(snap.drift) > 0 ? `+${snap.drift}` : snap.drift}
                    </td>
                    <td className="num strong">{snap.billed}</td>
                    {reviewable && (
                      <td>
                        <AdjustForm snapshot={snap} onDone={onChanged} />
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </article>
  );
}

/** MSP: one run — progress while drafting, then each client's draft to review, approve and issue. */
export function BillingRunPage() {
  const { id = '' } = useParams();
  useDocumentTitle('Billing run');
  const [polling, setPolling] = useState(true);
  const q = useQuery<BillingRunQuery, BillingRunQueryVariables>(BILLING_RUN_QUERY, { id }, { pollInterval: polling ? 2000 : undefined });
  const run = q.data?.billingRun;
  const drafting = (run?.progress.queued ?? 0) > 0;
  useEffect(() => {
    if (q.data) setPolling(drafting);
  }, [q.data, drafting]);
  return (
    <div className="page">
      <nav className="breadcrumbs" aria-label="Breadcrumb" data-testid="billing-run-page">
        <Link to="/billing">Billing</Link>
        <span aria-hidden="true">/</span>
        <span aria-current="page">Run {run ? formatDate(run.runOn) : id}</span>
      </nav>
      {q.error && !q.data ? (
        <QueryError title="Couldn’t load this run" error={q.error} onRetry={q.refetch} retrying={q.loading} />
      ) : q.data && !run ? (
        <EmptyState title="Run not found">There is no such run, or billing is not visible to you.</EmptyState>
      ) : !run ? (
        <Spinner label="Loading run" />
      ) : (
        <>
          <div className="page-header">
            <div>
              <h1 className="page-title">Billing run of {formatDate(run.runOn)}</h1>
              <p className="page-subtitle">
                Review each draft: counts are compared with the contract and last period; drift is highlighted.
              </p>
            </div>
          </div>
          <Card headingId="progress-heading" title="Progress">
            <div className="pad">
              <ProgressBar done={run.progress.done} total={run.progress.total} label="Drafting progress" />
              <p className="small muted">
                {run.progress.draft} to review · {run.progress.approved} approved · {run.progress.issued} issued ·{' '}
                {run.progress.nothingToBill} with nothing to bill · {run.progress.failed} failed
              </p>
              {drafting && (
                <Button size="sm" onClick={() => void q.refetch()}>
                  Refresh
                </Button>
              )}
            </div>
          </Card>
          <Card headingId="items-heading" title={<>Clients <span className="count">{run.items.length}</span></>}>
            {run.items.length === 0 ? (
              <p className="muted small pad">No client’s billing day fell on this date.</p>
            ) : (
              run.items.map((item) => <RunItemCard key={item.id} item={item} onChanged={() => void q.refetch()} />)
            )}
          </Card>
        </>
      )}
    </div>
  );
}
