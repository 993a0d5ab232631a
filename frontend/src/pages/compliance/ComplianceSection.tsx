import clsx from 'clsx';
import { useMemo, useState } from 'react';
import { FilterSelect, Skeleton } from '../../components/ui';
import type { Priority, SlaComplianceQuery, SlaComplianceQueryVariables } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { SLA_COMPLIANCE_QUERY } from '../../graphql/operations';
import { PRIORITIES, PRIORITY_LABEL, isOneOf } from '../../lib/enums';
import { ComplianceChart } from './ComplianceChart';
import {
  COMPLIANCE_CLOCKS,
  COMPLIANCE_CLOCK_LABEL,
  NOT_YET_JUDGED,
  complianceSeries,
  formatPercent,
  monthLabel,
  periodTotal,
  type ComplianceCell,
} from './compliance';
import { QueryError } from '../../components/QueryError';
import './compliance.css';

const MONTH_CHOICES = [6, 12] as const;

/** SLA compliance per month for one client: chart + met/breached table. */
export function ComplianceSection({ clientSlug, title = 'SLA compliance' }: { clientSlug?: string; title?: string }) {
  const [priority, setPriority] = useState<Priority | 'ALL'>('ALL');
  const [months, setMonths] = useState<number>(6);
  const q = useQuery<SlaComplianceQuery, SlaComplianceQueryVariables>(SLA_COMPLIANCE_QUERY, { ...(clientSlug ? { clientSlug } : {}), months });
  const points = useMemo(() => complianceSeries(q.data?.slaCompliance ?? [], priority), [q.data, priority]);
  const scope = priority === 'ALL' ? 'all priorities' : `${priority} · ${PRIORITY_LABEL[priority]}`;

  return (
    <section className="card" aria-labelledby="compliance-heading" data-testid="compliance-section">
      <div className="card-header">
        <h2 className="card-title" id="compliance-heading">
          {title}
        </h2>
        <div className="row gap-sm">
          <FilterSelect
            label="Priority"
            value={priority === 'ALL' ? null : priority}
            allLabel="All priorities"
            options={PRIORITIES.map((p) => [p, `${p} · ${PRIORITY_LABEL[p]}`])}
            onChange={(v) => setPriority(isOneOf(PRIORITIES, v) ? v : 'ALL')}
            testId="compliance-priority"
          />
          <div className="segmented" role="group" aria-label="Period">
            {MONTH_CHOICES.map((m) => (
              <button key={m} type="button" className={clsx(months === m && 'is-active')} aria-pressed={months === m} onClick={() => setMonths(m)} data-testid={`compliance-months-${m}`}>
                {m} months
              </button>
            ))}
          </div>
        </div>
      </div>
      {q.error && !q.data ? (
        <div className="pad">
          <QueryError title="Couldn’t load SLA compliance" error={q.error} onRetry={q.refetch} retrying={q.loading} />
        </div>
      ) : !q.data ? (
        <div className="pad stack-sm" aria-busy="true">
          <Skeleton height={200} />
          <Skeleton width="60%" />
        </div>
      ) : (
        <>
          <div className={clsx('pad', q.loading && 'is-refreshing')}>
            <div className="compliance-summary">
              {COMPLIANCE_CLOCKS.map((c) => (
                <SummaryStat key={c} label={COMPLIANCE_CLOCK_LABEL[c]} cell={periodTotal(points, c)} months={points.length} />
              ))}
            </div>
            <ComplianceChart points={points} title={`SLA compliance per month, ${scope}`} />
            <p className="field-hint">
              Share of SLA targets met among those judged in the month. “Not yet judged” means no target of that kind was judged — it is not 0 % or 100 %.
            </p>
          </div>
          {/* Wider than a phone: it scrolls sideways inside this region, focusable so that keyboard users can scroll it too. */}
          {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
          <div className="table-wrap flat" role="region" aria-label={`SLA compliance per month, ${scope}, as a table`} tabIndex={0} data-testid="compliance-table-scroll">
            <table className="table table-compliance" data-testid="compliance-table">
              <thead>
                <tr>
                  <th scope="col" rowSpan={2}>
                    Month
                  </th>
                  {COMPLIANCE_CLOCKS.map((c) => (
                    <th key={c} scope="colgroup" colSpan={3} className="group-start">
                      {COMPLIANCE_CLOCK_LABEL[c]}
                    </th>
                  ))}
                </tr>
                <tr>
                  {COMPLIANCE_CLOCKS.map((c) => [
                    <th key={`${c}-met`} scope="col" className="num group-start">
                      Met
                    </th>,
                    <th key={`${c}-breached`} scope="col" className="num">
                      Breached
                    </th>,
                    <th key={`${c}-pct`} scope="col" className="num">
                      Compliance
                    </th>,
                  ])}
                </tr>
              </thead>
              <tbody>
                {[...points].reverse().map((p) => (
                  <tr key={p.month} data-testid={`compliance-row-${p.month}`}>
                    <th scope="row" className="nowrap">
                      {monthLabel(p.month)}
                    </th>
                    {COMPLIANCE_CLOCKS.map((c) => (
                      <CellTds key={c} cell={p.cells[c]} />
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function CellTds({ cell }: { cell: ComplianceCell }) {
  return (
    <>
      <td className="num group-start">{cell.met}</td>
      <td className={clsx('num', cell.breached > 0 && 'text-red')}>{cell.breached}</td>
      <td className="num">{cell.percent === null ? <span className="muted not-judged">{NOT_YET_JUDGED}</span> : <strong>{formatPercent(cell.percent)}</strong>}</td>
    </>
  );
}

function SummaryStat({ label, cell, months }: { label: string; cell: ComplianceCell; months: number }) {
  return (
    <div className="stat">
      <div className="stat-label">
        {label} · {months === 1 ? 'this month' : `last ${months} months`}
      </div>
      <div className={clsx('stat-value', cell.percent === null && 'is-empty')}>{formatPercent(cell.percent)}</div>
      <div className="stat-sub">
        {cell.met} met · {cell.breached} breached
      </div>
    </div>
  );
}
