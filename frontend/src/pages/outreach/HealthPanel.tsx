import { Badge } from '../../components/ui';
import type { ClientOutreachQuery } from '../../graphql/generated';
import { formatDate, formatDateTime } from '../../lib/format';
import { BAND_LABEL, BAND_TONE } from './outreach';

type Outreach = NonNullable<ClientOutreachQuery['clientOutreach']>;

/** The score and how it was made: each signal's value, rule, sub-score and contribution. */
export function HealthExplanation({ health }: { health: Outreach['health'] }) {
  return (
    <div className="outreach-health" data-testid="health-explanation">
      <p className="outreach-score">
        <span className="outreach-score-value">{health.score ?? '—'}</span>
        <Badge tone={BAND_TONE[health.band]}>{BAND_LABEL[health.band]}</Badge>
        {health.computedAt && <span className="muted"> computed {formatDateTime(health.computedAt)}</span>}
      </p>
      {/* A scroll container must be reachable by keyboard (axe: scrollable-region-focusable). */}
      {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Health signals (scrolls sideways)">
        <table className="table outreach-signals">
          <caption className="sr-only">Health signals: value, rule, sub-score, weight and contribution</caption>
          <thead>
            <tr>
              <th scope="col">Signal</th>
              <th scope="col">Value</th>
              <th scope="col">Rule</th>
              <th scope="col">Sub-score</th>
              <th scope="col">Weight</th>
              <th scope="col">Points</th>
            </tr>
          </thead>
          <tbody>
            {health.signals.map((s) => (
              <tr key={s.key} className={s.hasData ? undefined : 'is-muted'} data-testid={`signal-${s.key}`}>
                <th scope="row">
                  {s.label}
                  <div className="muted small">{s.source}</div>
                </th>
                <td>{s.display}</td>
                <td className="small">{s.rule}</td>
                <td>{s.subscore ?? '—'}</td>
                <td>{s.hasData ? s.weight : `${s.weight} (set aside)`}</td>
                <td>{s.contribution ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** The daily history as a line chart (SVG), with the numbers as a table for screen readers. */
export function HealthChart({ history }: { history: Outreach['healthHistory'] }) {
  const points = history.filter((p) => p.score !== null);
  if (points.length === 0) return <p className="muted">No history yet: the score is kept once a day.</p>;
  const width = 600;
  const height = 160;
  const pad = 24;
  const step = points.length > 1 ? (width - 2 * pad) / (points.length - 1) : 0;
  const coords = points.map((p, i) => [pad + i * step, pad + (height - 2 * pad) * (1 - (p.score ?? 0) / 100)] as const);
  const path = coords.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  return (
    <figure className="outreach-chart" data-testid="health-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby="health-chart-title">
        <title id="health-chart-title">
          Health score from {formatDate(points[0]!.day)} to {formatDate(points[points.length - 1]!.day)}
        </title>
        {[0, 50, 100].map((v) => (
          <g key={v}>
            <line x1={pad} x2={width - pad} y1={pad + (height - 2 * pad) * (1 - v / 100)} y2={pad + (height - 2 * pad) * (1 - v / 100)} className="outreach-chart-grid" />
            <text x={2} y={pad + (height - 2 * pad) * (1 - v / 100) + 4} className="chart-label">
              {v}
            </text>
          </g>
        ))}
        <path d={path} className="chart-line" fill="none" />
        {coords.map(([x, y], i) => (
          <circle key={points[i]!.day} cx={x} cy={y} r={3} className="chart-dot" />
        ))}
      </svg>
      <details>
        <summary>Show the numbers</summary>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Score</th>
              <th scope="col">Band</th>
            </tr>
          </thead>
          <tbody>
            {history.map((p) => (
              <tr key={p.day}>
                <td>{formatDate(p.day)}</td>
                <td>{p.score ?? '—'}</td>
                <td>{BAND_LABEL[p.band]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
