import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Priority } from '../../graphql/generated';
import { mockGraphQL } from '../../test/mockGraphQL';
import { ComplianceChart } from './ComplianceChart';
import { ComplianceSection } from './ComplianceSection';
import { complianceSeries, formatPercent, percentOf, periodTotal, type ComplianceRow } from './compliance';

afterEach(() => vi.unstubAllGlobals());

/** Every (month, priority, clock) the server sends; unspecified cells are "nothing judged". */
function rows(months: string[], judged: Record<string, [number, number]>): ComplianceRow[] {
  const out: ComplianceRow[] = [];
  for (const month of months)
    for (const priority of ['P1', 'P2', 'P3', 'P4'] as Priority[])
      for (const clock of ['first_response', 'first_resolution']) {
        const [met, breached] = judged[`${month}/${priority}/${clock}`] ?? [0, 0];
        out.push({ month, priority, clock, met, breached, compliancePercent: met + breached ? (met / (met + breached)) * 100 : null });
      }
  return out;
}

const DATA = rows(['2026-01', '2026-02', '2026-03'], {
  '2026-01/P1/first_response': [3, 1],
  '2026-01/P2/first_response': [1, 0],
  '2026-01/P1/first_resolution': [0, 2],
  '2026-03/P3/first_resolution': [5, 0],
});

describe('compliance series', () => {
  it('percentOf: nothing judged is null, not 0 or 100', () => {
    expect(percentOf(0, 0)).toBeNull();
    expect(percentOf(0, 3)).toBe(0);
    expect(percentOf(3, 0)).toBe(100);
    expect(percentOf(3, 1)).toBe(75);
  });

  it('formats null as "Not yet judged" and keeps a real 0 % / 100 %', () => {
    expect(formatPercent(null)).toBe('Not yet judged');
    expect(formatPercent(undefined)).toBe('Not yet judged');
    expect(formatPercent(0)).toBe('0 %');
    expect(formatPercent(100)).toBe('100 %');
    expect(formatPercent(66.6666)).toBe('66.7 %');
  });

  it('one priority: uses the server’s value, null months stay null', () => {
    const p1 = complianceSeries(DATA, 'P1');
    expect(p1.map((p) => p.month)).toEqual(['2026-01', '2026-02', '2026-03']);
    expect(p1[0]!.cells.first_response).toEqual({ met: 3, breached: 1, percent: 75 });
    expect(p1[0]!.cells.first_resolution).toEqual({ met: 0, breached: 2, percent: 0 });
    expect(p1[1]!.cells.first_response.percent).toBeNull();
    expect(p1[2]!.cells.first_resolution.percent).toBeNull();
  });

  it('all priorities: sums the counts and recomputes; a month with nothing judged stays null', () => {
    const all = complianceSeries(DATA, 'ALL');
    expect(all[0]!.cells.first_response).toEqual({ met: 4, breached: 1, percent: 80 });
    expect(all[1]!.cells.first_response).toEqual({ met: 0, breached: 0, percent: null });
    expect(all[1]!.cells.first_resolution.percent).toBeNull();
    expect(all[2]!.cells.first_resolution).toEqual({ met: 5, breached: 0, percent: 100 });
    expect(periodTotal(all, 'first_response')).toEqual({ met: 4, breached: 1, percent: 80 });
    expect(periodTotal(complianceSeries(DATA, 'P4'), 'first_response').percent).toBeNull();
  });

  it('missing rows count as not judged', () => {
    expect(complianceSeries([], 'ALL')).toEqual([]);
    const only = complianceSeries([{ month: '2026-05', priority: 'P1', clock: 'first_response', met: 1, breached: 0, compliancePercent: 100 }], 'P1');
    expect(only[0]!.cells.first_resolution).toEqual({ met: 0, breached: 0, percent: null });
  });
});

describe('ComplianceChart', () => {
  it('draws judged months as bars and empty months as a labelled gap (no 0 % bar)', () => {
    render(<ComplianceChart points={complianceSeries(DATA, 'ALL')} title="SLA compliance" />);
    const chart = screen.getByTestId('compliance-chart');
    const feb = chart.querySelector('[data-month="2026-02"]')!;
    expect(feb).toHaveAttribute('data-judged', 'false');
    expect(within(feb as HTMLElement).getByTestId('compliance-gap')).toHaveTextContent('not yetjudged');
    expect(feb.querySelectorAll('.chart-bar')).toHaveLength(0);
    const jan = chart.querySelector('[data-month="2026-01"]')!;
    expect(jan.querySelectorAll('.chart-bar')).toHaveLength(2);
    // March: first resolution judged (100 %), first response not: one bar and one outlined gap.
    const mar = chart.querySelector('[data-month="2026-03"]')!;
    expect(mar.querySelectorAll('.chart-bar')).toHaveLength(1);
    expect(mar.querySelector('.chart-gap-bar title')?.textContent).toMatch(/First response: Not yet judged/);
    expect(chart.querySelector('desc')?.textContent).toMatch(/First response Not yet judged/);
  });
});

describe('ComplianceSection', () => {
  it('loads the client’s rows, switches priority and shows "Not yet judged" in the table', async () => {
    const api = mockGraphQL({ SlaCompliance: () => ({ slaCompliance: DATA }) });
    const user = userEvent.setup();
    render(<ComplianceSection clientSlug="acme" />);
    const table = await screen.findByTestId('compliance-table');
    expect(api.calls[0]?.variables).toEqual({ clientSlug: 'acme', months: 6 });
    const feb = within(table).getByTestId('compliance-row-2026-02');
    expect(within(feb).getAllByText('Not yet judged')).toHaveLength(2);
    expect(within(feb).queryByText('0 %')).toBeNull();
    expect(within(within(table).getByTestId('compliance-row-2026-01')).getByText('80 %')).toBeInTheDocument();

    await user.selectOptions(screen.getByTestId('compliance-priority'), 'P1');
    expect(within(within(table).getByTestId('compliance-row-2026-01')).getByText('75 %')).toBeInTheDocument();
    expect(within(within(table).getByTestId('compliance-row-2026-01')).getByText('0 %')).toBeInTheDocument();

    await user.click(screen.getByTestId('compliance-months-12'));
    await waitFor(() => expect(api.calls.at(-1)?.variables).toEqual({ clientSlug: 'acme', months: 12 }));
  });

  it('puts the table in a labelled region that keyboard users can focus to scroll it on a phone', async () => {
    mockGraphQL({ SlaCompliance: () => ({ slaCompliance: DATA }) });
    const user = userEvent.setup();
    render(<ComplianceSection clientSlug="acme" />);
    const table = await screen.findByTestId('compliance-table');
    const region = screen.getByRole('region', { name: 'SLA compliance per month, all priorities, as a table' });
    expect(region).toContainElement(table);
    expect(region).toHaveAttribute('tabindex', '0');
    await user.selectOptions(screen.getByTestId('compliance-priority'), 'P1');
    expect(screen.getByRole('region', { name: /^SLA compliance per month, P1 .*, as a table$/ })).toContainElement(table);
  });
});
