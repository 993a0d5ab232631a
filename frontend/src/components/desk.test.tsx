import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SlaCountdown, priorityReasonLines } from './desk';

afterEach(() => vi.useRealTimers());

const NOW = Date.parse('2026-03-10T12:00:00Z');
const inMs = (ms: number) => new Date(NOW + ms).toISOString();

describe('SlaCountdown', () => {
  it.each([
    ['ON_TRACK', inMs(5 * 3600_000), 'ON_TRACK', 'sla-green', '5h 00m left'],
    // Near is not at risk: WARNING comes from the server (share of the budget used), not from "within the hour".
    ['ON_TRACK', inMs(20 * 60_000), 'ON_TRACK', 'sla-green', '20m 00s left'],
    ['ON_TRACK', inMs(59 * 60_000), 'ON_TRACK', 'sla-green', '59m 00s left'],
    ['WARNING', inMs(3 * 3600_000), 'WARNING', 'sla-amber', '3h 00m left'],
    ['ON_TRACK', inMs(-61_000), 'BREACHED', 'sla-red', '1m 01s overdue'],
    ['BREACHED', inMs(-2 * 86400_000), 'BREACHED', 'sla-red', '2d 00h overdue'],
    ['PAUSED', null, 'PAUSED', 'sla-grey', 'paused'],
    ['NONE', null, 'NONE', 'sla-none', 'no SLA'],
    ['BREACHED', null, 'BREACHED', 'sla-red', 'breached'],
    ['CLOCK_ERROR', null, 'CLOCK_ERROR', 'sla-amber', 'sla needs fixing'],
  ] as const)('%s due %s → %s (%s) "%s"', (state, dueAt, shown, cls, text) => {
    vi.useFakeTimers({ now: NOW });
    render(<SlaCountdown state={state} dueAt={dueAt} clock="first_response" />);
    const el = screen.getByTestId('sla-countdown');
    expect(el).toHaveAttribute('data-state', shown);
    expect(el).toHaveClass(cls);
    expect(el).toHaveTextContent(text);
  });
});

describe('priorityReasonLines', () => {
  it('explains impact × urgency, a business-critical requester and the matrix used', () => {
    const reason = JSON.stringify({ impact: 'medium', urgency: 'medium', effective_urgency: 'high', business_critical_requester: true, source: 'matrix' });
    expect(priorityReasonLines(reason, 'P2')).toEqual([
      'Impact medium × urgency medium',
      'The requester is business-critical: urgency raised to high.',
      'P2 from the MSP’s triage matrix.',
    ]);
    expect(priorityReasonLines('{}', 'P4')).toEqual([]);
    expect(priorityReasonLines('garbage', 'P4')).toEqual([]);
  });
});
