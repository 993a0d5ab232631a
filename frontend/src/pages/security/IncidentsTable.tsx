import clsx from 'clsx';
import { Link, useNavigate } from 'react-router';
import { SlaCountdown } from '../../components/desk';
import { EmptyState, Skeleton } from '../../components/ui';
import type { SecurityIncidentRowFieldsFragment } from '../../graphql/generated';
import { formatDateTime, formatRelative } from '../../lib/format';
import { IncidentStatusPill, SeverityPill } from './SecurityPills';
import { DONE_INCIDENT, KIND_LABEL } from './security';

/** A client's incidents: severity, status, the next SLA deadline. Rows open the incident. */
export function IncidentsTable({
  rows,
  loading,
  pathOf,
  showAssignee = false,
  emptyText = 'No security incidents.',
  testId = 'incidents-table',
  failed = false,
}: {
  rows: readonly SecurityIncidentRowFieldsFragment[] | undefined;
  loading?: boolean;
  pathOf: (number: number) => string;
  showAssignee?: boolean;
  emptyText?: string;
  testId?: string;
  /** The list could not be loaded (the caller shows why): no skeleton, no "empty". */
  failed?: boolean;
}) {
  const navigate = useNavigate();
  if (!rows && failed) return null;
  if (rows && rows.length === 0) return <EmptyState title={emptyText} />;
  return (
    <div className="table-wrap" aria-busy={loading}>
      <table className="table table-clickable table-stack" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">Incident</th>
            <th scope="col">Severity</th>
            <th scope="col">Status</th>
            {showAssignee && <th scope="col">Assignee</th>}
            <th scope="col" className="col-sla">
              SLA
            </th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {!rows
            ? Array.from({ length: 3 }, (_, i) => (
                <tr key={i} className="skeleton-row" aria-hidden="true">
                  {Array.from({ length: showAssignee ? 6 : 5 }, (_, j) => (
                    <td key={j}>
                      <Skeleton width={j === 0 ? 220 : 70} />
                    </td>
                  ))}
                </tr>
              ))
            : rows.map((r) => {
                const done = DONE_INCIDENT.includes(r.status);
                return (
                  <tr
                    key={r.number}
                    className={clsx(done && 'is-done', r.breachState === 'BREACHED' && 'is-breached')}
                    data-testid={`incident-row-${r.number}`}
                    tabIndex={0}
                    onClick={(e) => {
                      if ((e.target as HTMLElement).closest('a') || e.metaKey || e.ctrlKey) return;
                      navigate(pathOf(r.number));
                    }}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' && e.target === e.currentTarget) navigate(pathOf(r.number));
                    }}
                  >
                    <td className="cell-title">
                      <div className="cell-primary">
                        <Link to={pathOf(r.number)} className="row-link" tabIndex={-1}>
                          <span className="ticket-number">{r.reference}</span> {r.title}
                        </Link>
                        <span className="cell-secondary">
                          {KIND_LABEL[r.kind]} · {r.affectedUserCount} affected {r.affectedUserCount === 1 ? 'person' : 'people'}
                        </span>
                      </div>
                    </td>
                    <td data-label="Severity">
                      <SeverityPill severity={r.severity} />
                    </td>
                    <td data-label="Status">
                      <IncidentStatusPill status={r.status} />
                    </td>
                    {showAssignee && (
                      <td data-label="Assignee" className="nowrap">
                        {r.assignee ? r.assignee.fullName : <span className="muted">Unassigned</span>}
                      </td>
                    )}
                    <td className="col-sla" data-label="SLA">
                      {done ? <span className="muted small">—</span> : <SlaCountdown dueAt={r.nextDeadlineAt} clock={r.nextDeadlineClock} state={r.breachState} layout="stack" />}
                    </td>
                    <td className="nowrap" data-label="Updated" title={formatDateTime(r.updatedAt)}>
                      {formatRelative(r.updatedAt)}
                    </td>
                  </tr>
                );
              })}
        </tbody>
      </table>
    </div>
  );
}
