import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { POPOVER_MARGIN, PriorityWithReason, SlaCountdown, popoverShift, priorityReasonLines } from './desk';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

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

describe('popoverShift', () => {
  it('leaves a popover that fits where it opens', () => {
    expect(popoverShift({ left: 100, right: 380 }, 1280)).toBe(0);
    expect(popoverShift({ left: 72, right: 360 - POPOVER_MARGIN }, 360)).toBe(0);
  });
  it('moves one that sticks out left, until its right edge is inside the margin', () => {
    // The 280 px popover under a priority 148 px from the left of a 360 px phone.
    expect(popoverShift({ left: 148, right: 428 }, 360)).toBe(-(428 - 352));
    expect(popoverShift({ left: 87, right: 367 }, 360)).toBe(-15);
  });
  it('never pushes it past the left margin', () => {
    expect(popoverShift({ left: 20, right: 400 }, 360)).toBe(-(20 - POPOVER_MARGIN));
  });
});

describe('PriorityWithReason', () => {
  const reason = JSON.stringify({ impact: 'high', urgency: 'medium', source: 'matrix' });

  /** The popover laid out from its anchor at `anchorLeft`, 280 px wide, moved by its style.left. */
  function layOut(anchorLeft: number) {
    vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(function (this: HTMLElement) {
      const left = anchorLeft + (parseFloat(this.style.left) || 0);
      return { left, right: left + 280, top: 0, bottom: 60, width: 280, height: 60, x: left, y: 0, toJSON: () => ({}) } as DOMRect;
    });
  }
  function resizeTo(width: number) {
    vi.spyOn(document.documentElement, 'clientWidth', 'get').mockReturnValue(width);
  }

  it('opens its popover inside a phone-sized window', () => {
    resizeTo(360);
    layOut(148);
    render(<PriorityWithReason priority="P2" reason={reason} />);
    fireEvent.focus(screen.getByTestId('ticket-priority'));
    const popover = screen.getByTestId('priority-reason');
    expect(popover.style.left).toBe('-76px');
    const rect = popover.getBoundingClientRect();
    expect(rect.right).toBeLessThanOrEqual(360 - POPOVER_MARGIN);
    expect(rect.left).toBeGreaterThanOrEqual(POPOVER_MARGIN);
  });

  it('stays where it opens when it fits, and moves in when the window narrows while it is open', () => {
    resizeTo(1280);
    layOut(148);
    render(<PriorityWithReason priority="P2" reason={reason} />);
    fireEvent.focus(screen.getByTestId('ticket-priority'));
    const popover = screen.getByTestId('priority-reason');
    expect(popover.style.left).toBe('');
    resizeTo(360);
    act(() => {
      window.dispatchEvent(new Event('resize'));
    });
    expect(popover.style.left).toBe('-76px');
    resizeTo(1280);
    act(() => {
      window.dispatchEvent(new Event('resize'));
    });
    expect(popover.style.left).toBe('');
  });
});
