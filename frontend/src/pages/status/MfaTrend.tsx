import { useId } from 'react';
import { formatPercent, shortDay, utcDay } from './status';

const W = 600;
const H = 160;
const M = { top: 12, right: 12, bottom: 24, left: 40 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;
const TICKS = [0, 50, 100];

export type MfaPointData = { day: string; percent: number | null };

/** x of a day between the first and last day (by date, so missing days leave gaps). */
function dayNumber(iso: string): number {
  return utcDay(iso) / 86_400_000;
}

/** Segments of consecutive days with a value: a missing day breaks the line. */
export function mfaSegments(points: readonly MfaPointData[]): MfaPointData[][] {
  const segments: MfaPointData[][] = [];
  let current: MfaPointData[] = [];
  let previous: number | null = null;
  for (const point of points) {
    const n = dayNumber(point.day);
    if (point.percent === null || (previous !== null && n - previous > 1)) {
      if (current.length) segments.push(current);
      current = [];
    }
    if (point.percent !== null) current.push(point);
    previous = n;
  }
  if (current.length) segments.push(current);
  return segments;
}

/** MFA coverage per day (one point per daily snapshot), with its target line. */
export function MfaTrend({ points, target = 95 }: { points: readonly MfaPointData[]; target?: number }) {
  const titleId = useId();
  const descId = useId();
  const firstPoint = points[0];
  const lastPoint = points[points.length - 1];
  if (!firstPoint || !lastPoint) return <p className="muted small">No daily figures yet: the first snapshot is taken tonight.</p>;
  const first = dayNumber(firstPoint.day);
  const last = dayNumber(lastPoint.day);
  const span = Math.max(last - first, 1);
  const x = (iso: string) => M.left + ((dayNumber(iso) - first) / span) * PW;
  const y = (p: number) => M.top + PH - (Math.max(0, Math.min(100, p)) / 100) * PH;
  const valued = points.filter((p) => p.percent !== null);
  const latest = valued[valued.length - 1];
  const lowest = valued.reduce<MfaPointData | null>((lo, p) => (lo === null || (p.percent ?? 0) < (lo.percent ?? 0) ? p : lo), null);
  const description = latest
    ? `From ${shortDay(firstPoint.day)} to ${shortDay(lastPoint.day)}: now ${formatPercent(latest.percent)}, lowest ${formatPercent(lowest?.percent)} on ${shortDay(lowest?.day ?? latest.day)}; target ${formatPercent(target)}.`
    : 'No coverage measured in this period.';
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} className="chart-svg" role="img" aria-labelledby={titleId} aria-describedby={descId} data-testid="mfa-trend">
        <title id={titleId}>MFA coverage per day</title>
        <desc id={descId}>{description}</desc>
        {TICKS.map((t) => (
          <g key={t}>
            <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} className={t === 0 ? 'chart-axis' : 'chart-grid'} />
            <text x={M.left - 8} y={y(t)} dy="0.32em" textAnchor="end" className="chart-tick">
              {t}%
            </text>
          </g>
        ))}
        <line x1={M.left} x2={W - M.right} y1={y(target)} y2={y(target)} className="mfa-target" data-testid="mfa-target" />
        {mfaSegments(points).map((segment) => (
          <g key={segment[0]?.day} className="mfa-line">
            {segment.length > 1 && <polyline points={segment.map((p) => `${x(p.day)},${y(p.percent ?? 0)}`).join(' ')} />}
            {segment.map((p) => (
              <circle key={p.day} cx={x(p.day)} cy={y(p.percent ?? 0)} r={2.5}>
                <title>{`${shortDay(p.day)}: ${formatPercent(p.percent)}`}</title>
              </circle>
            ))}
          </g>
        ))}
        <text x={M.left} y={H - 6} className="chart-tick">
          {shortDay(firstPoint.day)}
        </text>
        <text x={W - M.right} y={H - 6} textAnchor="end" className="chart-tick">
          {shortDay(lastPoint.day)}
        </text>
      </svg>
      <figcaption className="chart-legend">
        <span className="legend-item">
          <span className="legend-swatch legend-mfa" aria-hidden="true" />
          Accounts with MFA
        </span>
        <span className="legend-item">
          <span className="legend-swatch legend-target" aria-hidden="true" />
          Target {formatPercent(target)}
        </span>
      </figcaption>
    </figure>
  );
}
