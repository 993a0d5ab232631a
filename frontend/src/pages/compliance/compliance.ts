/**
 * SLA compliance rows → chart series. The rule that matters: a month in which
 * nothing was judged has *no* compliance (null, "not yet judged") — never 0 %
 * and never 100 %.
 */
import type { Priority, SlaComplianceQuery } from '../../graphql/generated';

export type ComplianceRow = SlaComplianceQuery['slaCompliance'][number];

export const COMPLIANCE_CLOCKS = ['first_response', 'first_resolution'] as const;
export type ComplianceClock = (typeof COMPLIANCE_CLOCKS)[number];

export const COMPLIANCE_CLOCK_LABEL: Record<ComplianceClock, string> = {
  first_response: 'First response',
  first_resolution: 'First resolution',
};

export type ComplianceCell = { met: number; breached: number; percent: number | null };
export type CompliancePoint = { month: string; cells: Record<ComplianceClock, ComplianceCell> };

export const NOT_YET_JUDGED = 'Not yet judged';

/** Share of judged targets that were met; null when nothing was judged. */
export function percentOf(met: number, breached: number): number | null {
  const judged = met + breached;
  return judged > 0 ? (met / judged) * 100 : null;
}

const EMPTY: ComplianceCell = { met: 0, breached: 0, percent: null };

/**
 * One point per month (oldest first) for one priority, or all priorities
 * together (`'ALL'`: counts summed, the percentage recomputed from them).
 * For a single priority the server's `compliancePercent` is used as is.
 */
export function complianceSeries(rows: readonly ComplianceRow[], priority: Priority | 'ALL'): CompliancePoint[] {
  const months = [...new Set(rows.map((r) => r.month))].sort();
  return months.map((month) => {
    const cells = {} as Record<ComplianceClock, ComplianceCell>;
    for (const clock of COMPLIANCE_CLOCKS) {
      const matching = rows.filter((r) => r.month === month && r.clock === clock && (priority === 'ALL' || r.priority === priority));
      if (matching.length === 0) {
        cells[clock] = EMPTY;
      } else if (priority !== 'ALL' && matching.length === 1) {
        const r = matching[0]!;
        // Trust the server's null; only fill in a percentage it did not send when there are judged counts.
        const percent = r.compliancePercent ?? (r.met + r.breached > 0 ? percentOf(r.met, r.breached) : null);
        cells[clock] = { met: r.met, breached: r.breached, percent };
      } else {
        const met = matching.reduce((n, r) => n + r.met, 0);
        const breached = matching.reduce((n, r) => n + r.breached, 0);
        cells[clock] = { met, breached, percent: percentOf(met, breached) };
      }
    }
    return { month, cells };
  });
}

/** "92.5 %", "100 %", "0 %" — or "Not yet judged" for null. */
export function formatPercent(p: number | null | undefined): string {
  if (p === null || p === undefined || Number.isNaN(p)) return NOT_YET_JUDGED;
  const rounded = Math.round(p * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)} %`;
}

/** "2026-03" → "Mar 2026" (or "Mar" with `short`). */
export function monthLabel(month: string, short = false): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return month;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, 1);
  return new Intl.DateTimeFormat(undefined, short ? { month: 'short' } : { month: 'short', year: 'numeric' }).format(d);
}

/** Totals over the whole period for one clock (null percent when nothing was judged). */
export function periodTotal(points: readonly CompliancePoint[], clock: ComplianceClock): ComplianceCell {
  const met = points.reduce((n, p) => n + p.cells[clock].met, 0);
  const breached = points.reduce((n, p) => n + p.cells[clock].breached, 0);
  return { met, breached, percent: percentOf(met, breached) };
}
