import { useId } from 'react';
import { formatMoney } from './billing';
import '../compliance/compliance.css';
import './billing.css';

const SERVICE_LINE_LABEL: Record<string, string> = {
  SUPPORT: 'End-user support',
  INFRASTRUCTURE: 'Infrastructure',
  SECURITY: 'Security',
  OTHER: 'Other',
};
const SERVICE_LINES = ['SUPPORT', 'INFRASTRUCTURE', 'SECURITY', 'OTHER'] as const;

export type MrrPoint = { month: string; serviceLine: string; currency: string; amount: string };

const W = 720;
const H = 240;
const M = { top: 16, right: 12, bottom: 30, left: 64 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return Math.ceil(value / magnitude) * magnitude;
}

function shortMonth(month: string): string {
  const d = new Date(`${month}-01T00:00:00Z`);
  return d.toLocaleDateString(undefined, { month: 'short', year: '2-digit', timeZone: 'UTC' });
}

/** Monthly recurring revenue per month, stacked by service line (one currency). */
export function MrrChart({ points, currency }: { points: readonly MrrPoint[]; currency: string }) {
  const titleId = useId();
  const descId = useId();
  const months = [...new Set(points.filter((p) => p.currency === currency).map((p) => p.month))].sort();
  const cell = (month: string, line: string) =>
    Number(points.find((p) => p.month === month && p.serviceLine === line && p.currency === currency)?.amount ?? 0);
  const totals = months.map((m) => SERVICE_LINES.reduce((sum, l) => sum + cell(m, l), 0));
  const max = niceMax(Math.max(0, ...totals));
  const band = PLOT_W / Math.max(months.length, 1);
  const barW = Math.min(40, band * 0.6);
  const y = (v: number) => M.top + PLOT_H - (v / max) * PLOT_H;
  const description = months
    .map((m, i) => `${shortMonth(m)}: ${formatMoney((totals[i] ?? 0).toFixed(2), currency)}`)
    .join('. ');
  return (
    <figure className="chart billing-chart">
      <svg viewBox={`0 0 ${W} ${H}`} className="chart-svg" role="img" aria-labelledby={`${titleId} ${descId}`} data-testid="mrr-chart">
        <title id={titleId}>{`Monthly recurring revenue by service line (${currency})`}</title>
        <desc id={descId}>{description || 'No issued invoices yet.'}</desc>
        {[0, 0.5, 1].map((t) => (
          <g key={t}>
            <line x1={M.left} x2={W - M.right} y1={y(max * t)} y2={y(max * t)} className={t === 0 ? 'chart-axis' : 'chart-grid'} />
            <text x={M.left - 8} y={y(max * t)} dy="0.32em" textAnchor="end" className="chart-tick">
              {formatMoney((max * t).toFixed(0), currency).replace(/\.00$/, '')}
            </text>
          </g>
        ))}
        {months.map((month, i) => {
          let base = 0;
          const x = M.left + i * band + (band - barW) / 2;
          return (
            <g key={month}>
              {SERVICE_LINES.map((line) => {
                const value = cell(month, line);
                if (!value) return null;
                const top = y(base + value);
                const height = y(base) - top;
                base += value;
                return (
                  <rect key={line} x={x} y={top} width={barW} height={Math.max(height, 1)} className={`mrr-${line.toLowerCase()}`}>
                    <title>{`${shortMonth(month)} · ${SERVICE_LINE_LABEL[line]}: ${formatMoney(value.toFixed(2), currency)}`}</title>
                  </rect>
                );
              })}
              <text x={x + barW / 2} y={H - M.bottom + 16} textAnchor="middle" className="chart-tick">
                {shortMonth(month)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="billing-chart-legend">
        {SERVICE_LINES.map((line) => (
          <span key={line} className="billing-chart-legend-item">
            <span className={`chart-swatch mrr-${line.toLowerCase()}`} aria-hidden="true" />
            {SERVICE_LINE_LABEL[line]}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** Horizontal bars with their values written out (clients by MRR, AR ageing buckets). */
export function BarList({
  rows,
  label,
  testId,
  tone = 'accent',
}: {
  rows: readonly { key: string; label: string; value: number; text: string }[];
  label: string;
  testId?: string;
  tone?: 'accent' | 'ageing';
}) {
  const max = Math.max(0, ...rows.map((r) => r.value)) || 1;
  return (
    <ul className="bar-list" aria-label={label} data-testid={testId}>
      {rows.map((row, index) => (
        <li key={row.key} className="bar-row">
          <span className="bar-label">{row.label}</span>
          <span className="bar-track" aria-hidden="true">
            <span
              className={tone === 'ageing' ? `bar-fill ageing-${index}` : 'bar-fill'}
              style={{ width: `${Math.max((row.value / max) * 100, row.value > 0 ? 2 : 0)}%` }}
            />
          </span>
          <span className="bar-value">{row.text}</span>
        </li>
      ))}
    </ul>
  );
}

/** A progress bar with its numbers said out loud. */
export function ProgressBar({ done, total, label }: { done: number; total: number; label: string }) {
  const percent = total ? Math.round((done / total) * 100) : 100;
  return (
    <div className="billing-progress-wrap">
      <div className="billing-progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={total} aria-valuenow={done}>
        <span className="billing-progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="small muted">
        {done} of {total} drafted
      </span>
    </div>
  );
}
