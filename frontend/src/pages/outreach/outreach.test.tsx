import { fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StaticViewerProvider } from '../../auth/ViewerContext';
import { makeViewer, mockGraphQL } from '../../test/mockGraphQL';
import { BoardPage } from './BoardPage';
import { HealthExplanation } from './HealthPanel';
import { sizeRange } from './SegmentsPage';
import { SuggestionPanel } from './SuggestionPanel';

afterEach(() => vi.unstubAllGlobals());

const signal = (key: string, hasData: boolean, extra: Record<string, unknown> = {}) => ({
  key,
  label: key,
  source: 'service desk',
  rule: 'the rule',
  weight: 10,
  hasData,
  value: hasData ? 1 : null,
  display: hasData ? 'a value' : 'no data (billing is not connected yet)',
  subscore: hasData ? 60 : null,
  contribution: hasData ? 60 : null,
  ...extra,
});

describe('outreach', () => {
  it('explains each signal and marks those without data as set aside', () => {
    render(
      <HealthExplanation
        health={{ score: 60, band: 'WATCH', computedAt: null, signals: [signal('open_p1_p2', true), signal('overdue_invoices', false)] }}
      />,
    );
    const missing = screen.getByTestId('signal-overdue_invoices');
    expect(within(missing).getByText('10 (set aside)')).toBeInTheDocument();
    expect(within(missing).getByText(/not connected yet/)).toBeInTheDocument();
    expect(within(screen.getByTestId('signal-open_p1_p2')).getAllByText('60')).toHaveLength(2);
  });

  it('reads a size range', () => {
    expect(sizeRange('10-50')).toEqual({ min: 10, max: 50 });
    expect(sizeRange('5-')).toEqual({ min: 5 });
    expect(sizeRange('-9')).toEqual({ max: 9 });
  });

  it('suggests articles and reports which one solved it', () => {
    const solved = vi.fn();
    render(
      <SuggestionPanel
        found={{ suggestionId: 's1', broadcasts: [{ id: 'B1', kind: 'HOWTO', title: 'Reset the VPN', bodyHtml: '<p>Open the client</p>' }] }}
        onSolved={solved}
      />,
    );
    fireEvent.click(screen.getByText('Reset the VPN'));
    fireEvent.click(screen.getByTestId('suggestion-solved'));
    expect(solved).toHaveBeenCalledWith('B1');
  });

  it('shows the board by section, riskiest first as the server sorted it', async () => {
    const client = (slug: string, section: string, band: string, score: number | null) => ({
      slug,
      name: slug.toUpperCase(),
      tier: 'STANDARD',
      section,
      cadenceDays: 90,
      lastCheckInAt: null,
      nextPlannedAt: null,
      nextDueOn: '2026-12-01',
      daysOverdue: section === 'OVERDUE' ? 2 : 0,
      healthScore: score,
      healthBand: band,
      openFollowUps: 0,
      overdueFollowUps: 0,
    });
    mockGraphQL({
      OutreachBoard: () => ({
        outreachBoard: {
          overdueCount: 2,
          dueThisWeekCount: 0,
          upcomingCount: 1,
          clients: [client('bravo', 'OVERDUE', 'AT_RISK', 30), client('alpha', 'OVERDUE', 'HEALTHY', 90), client('cedar', 'UPCOMING', 'NO_DATA', null)],
          followUps: [],
        },
      }),
    });
    render(
      <MemoryRouter>
        <StaticViewerProvider viewer={makeViewer({ mspRole: 'ACCOUNT_MANAGER' })}>
          <Routes>
            <Route path="/" element={<BoardPage />} />
          </Routes>
        </StaticViewerProvider>
      </MemoryRouter>,
    );
    const overdue = await screen.findByTestId('board-overdue');
    expect(within(overdue).getAllByRole('link').map((a) => a.textContent)).toEqual(['BRAVO', 'ALPHA']);
    expect(within(overdue).getAllByText(/2 days overdue/)).toHaveLength(2);
    expect(within(screen.getByTestId('board-upcoming')).getByText('— · No data')).toBeInTheDocument();
  });
});
