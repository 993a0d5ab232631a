import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { describeEvent, type TimelineItem } from './Timeline';

function assigned(detail: object): TimelineItem {
  return {
    id: 'a1',
    kind: 'assigned',
    at: '2026-11-24T09:10:00Z',
    actorName: 'Ada Admin',
    actorIsStaff: true,
    isInternal: true,
    body: null,
    detail: JSON.stringify(detail),
    attachments: [],
  };
}

describe('describeEvent', () => {
  it('says why the server unassigned a ticket when the assignee lost access', () => {
    const line = describeEvent(
      assigned({ assignee_id: null, previous_assignee_id: 7, reason: 'Tom Tech no longer has access to Bravo Legal.' }),
      new Map(),
    );
    render(<p>{line}</p>);
    expect(screen.getByText('unassigned the ticket: Tom Tech no longer has access to Bravo Legal.')).toBeTruthy();
  });

  it('keeps the plain wording for an unassignment by hand', () => {
    expect(describeEvent(assigned({ assignee_id: null }), new Map())).toBe('unassigned the ticket');
  });
});
