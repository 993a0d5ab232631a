import { formatDate } from '../../lib/format';
import { formatCoverage, trendCoordinates, type TrendPoint } from './mfa';

const W = 560;
const H = 120;

/** A small line chart of daily coverage (0–100 %), with a text summary for screen readers. */
export function MfaTrend({ points }: { points: readonly TrendPoint[] }) {
  const coords = trendCoordinates(points, W, H);
  if (coords.length === 0) return <p className="muted small">No history yet: the first point is recorded tonight or after the next import.</p>;
  const first = coords[0]!.point;
  const last = coords[coords.length - 1]!.point;
  const line = coords.map((c, i) => `${i === 0 ? 'M' : 'L'}${c.x.toFixed(1)},${c.y.toFixed(1)}`).join(' ');
  const area = `${line} L${coords[coords.length - 1]!.x.toFixed(1)},${H - 4} L${coords[0]!.x.toFixed(1)},${H - 4} Z`;
  const summary = `MFA coverage from ${formatCoverage(first.percent)} on ${formatDate(first.day)} to ${formatCoverage(last.percent)} on ${formatDate(last.day)}`;
  return (
    <figure className="chart" data-testid="mfa-trend">
      <svg className="trend" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        {[0, 50, 100].map((v) => {
          const y = 4 + (H - 8) * (1 - v / 100);
          return <line key={v} className="trend-grid" x1={0} x2={W} y1={y} y2={y} />;
        })}
        <path className="trend-area" d={area} />
        <path className="trend-line" d={line} />
        {coords.length <= 40 &&
          coords.map((c) => (
            <circle key={c.point.day} cx={c.x} cy={c.y} r={2.5} fill="var(--accent)">
              <title>{`${formatDate(c.point.day)}: ${formatCoverage(c.point.percent)}`}</title>
            </circle>
          ))}
      </svg>
      <figcaption className="muted small">{summary}.</figcaption>
    </figure>
  );
}
