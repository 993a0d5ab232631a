import { useId } from 'react';
import { COMPLIANCE_CLOCKS, COMPLIANCE_CLOCK_LABEL, formatPercent, monthLabel, type CompliancePoint } from './compliance';
import './compliance.css';

const W = 720;
const H = 240;
const M = { top: 16, right: 12, bottom: 30, left: 42 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;
const TICKS = [0, 25, 50, 75, 100];

const y = (percent: number) => M.top + PLOT_H - (Math.max(0, Math.min(100, percent)) / 100) * PLOT_H;

/**
 * Grouped bars per month: first response and first resolution compliance (%).
 * A month (or clock) with nothing judged is a gap drawn as a dashed outline
 * labelled "not yet judged" — not a 0 % bar.
 */
export function ComplianceChart({ points, title }: { points: readonly CompliancePoint[]; title: string }) {
  const titleId = useId();
  const descId = useId();
  const n = Math.max(points.length, 1);
  const band = PLOT_W / n;
  const barW = Math.min(26, band * 0.3);
  const gap = Math.min(6, band * 0.06);
  const showValues = n <= 12;

  const description = points
    .map((p) => `${monthLabel(p.month)}: ${COMPLIANCE_CLOCKS.map((c) => `${COMPLIANCE_CLOCK_LABEL[c]} ${formatPercent(p.cells[c].percent)}`).join(', ')}`)
    .join('. ');

  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        className="chart-svg"
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
        data-testid="compliance-chart"
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={titleId}>{title}</title>
        <desc id={descId}>{description || 'No months to show.'}</desc>
        {/* grid + y axis */}
        {TICKS.map((t) => (
          <g key={t}>
            <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} className={t === 0 ? 'chart-axis' : 'chart-grid'} />
            <text x={M.left - 8} y={y(t)} dy="0.32em" textAnchor="end" className="chart-tick">
              {t}%
            </text>
          </g>
        ))}
        {points.map((p, i) => {
          const x0 = M.left + i * band;
          const groupW = COMPLIANCE_CLOCKS.length * barW + (COMPLIANCE_CLOCKS.length - 1) * gap;
          const start = x0 + (band - groupW) / 2;
          const allEmpty = COMPLIANCE_CLOCKS.every((c) => p.cells[c].percent === null);
          return (
            <g key={p.month} data-month={p.month} data-judged={allEmpty ? 'false' : 'true'}>
              {allEmpty && (
                <g className="chart-gap" data-testid="compliance-gap">
                  <rect x={x0 + band * 0.12} y={M.top} width={band * 0.76} height={PLOT_H} rx="4" />
                  <text x={x0 + band / 2} y={M.top + PLOT_H / 2 - 6} textAnchor="middle">
                    not yet
                  </text>
                  <text x={x0 + band / 2} y={M.top + PLOT_H / 2 + 8} textAnchor="middle">
                    judged
                  </text>
                </g>
              )}
              {COMPLIANCE_CLOCKS.map((clock, j) => {
                const cell = p.cells[clock];
                const bx = start + j * (barW + gap);
                const label = `${monthLabel(p.month)} · ${COMPLIANCE_CLOCK_LABEL[clock]}: ${formatPercent(cell.percent)}${
                  cell.percent === null ? '' : ` (${cell.met} met, ${cell.breached} breached)`
                }`;
                if (cell.percent === null) {
                  return allEmpty ? null : (
                    <g key={clock} className="chart-gap chart-gap-bar">
                      <title>{label}</title>
                      <rect x={bx} y={M.top} width={barW} height={PLOT_H} rx="2" />
                    </g>
                  );
                }
                const top = y(cell.percent);
                return (
                  <g key={clock} className={`chart-bar chart-bar-${j}`}>
                    <title>{label}</title>
                    <rect x={bx} y={top} width={barW} height={Math.max(M.top + PLOT_H - top, 1.5)} rx="2" />
                    {showValues && (
                      <text x={bx + barW / 2} y={top - 4} textAnchor="middle" className="chart-value">
                        {Math.round(cell.percent)}
                      </text>
                    )}
                  </g>
                );
              })}
              <text x={x0 + band / 2} y={H - M.bottom + 18} textAnchor="middle" className="chart-tick">
                {monthLabel(p.month, n > 6)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="chart-legend">
        {COMPLIANCE_CLOCKS.map((c, j) => (
          <span key={c} className="legend-item">
            <span className={`legend-swatch chart-bar-${j}`} aria-hidden="true" />
            {COMPLIANCE_CLOCK_LABEL[c]}
          </span>
        ))}
        <span className="legend-item">
          <span className="legend-swatch legend-gap" aria-hidden="true" />
          Not yet judged
        </span>
      </figcaption>
    </figure>
  );
}
