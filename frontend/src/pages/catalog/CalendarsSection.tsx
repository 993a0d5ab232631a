import { useState } from 'react';
import { Alert, Badge, Button, EmptyState } from '../../components/ui';
import type { CatalogCalendarFieldsFragment, CatalogPolicyFieldsFragment } from '../../graphql/generated';
import { CalendarEditor } from './CalendarEditor';
import { formatCalendarDate, summariseWeek } from './catalog';
import { Card } from '../../components/Card';

type Editing = { kind: 'new' } | { kind: 'edit'; id: string } | null;

/** Business calendars: a table, and (for MSP admins) an editor below it. */
export function CalendarsSection({
  calendars,
  policies,
  canEdit,
  onChanged,
}: {
  calendars: readonly CatalogCalendarFieldsFragment[];
  policies: readonly CatalogPolicyFieldsFragment[];
  canEdit: boolean;
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState<Editing>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const editingCalendar = editing?.kind === 'edit' ? (calendars.find((c) => c.id === editing.id) ?? null) : null;

  function start(next: Editing) {
    setSaved(null);
    setEditing(next);
  }

  return (
    <Card
      headingId="calendars-heading"
      title={<>Business calendars <span className="count">{calendars.length}</span></>}
      testId="catalog-calendars"
      aside={
        canEdit && (
          <Button size="sm" onClick={() => start({ kind: 'new' })} disabled={editing?.kind === 'new'} data-testid="calendar-new">
            New calendar
          </Button>
        )
      }
    >
      {saved && (
        <div className="pad">
          <Alert tone="success">{saved}</Alert>
        </div>
      )}
      {calendars.length === 0 ? (
        <EmptyState title="No business calendars">SLA policies measure time on a calendar. Create one to get started.</EmptyState>
      ) : (
        <div className="table-wrap flat">
          <table className="table catalog-calendars">
            <thead>
              <tr>
                <th scope="col">Calendar</th>
                <th scope="col">Time zone</th>
                <th scope="col">Working hours</th>
                <th scope="col">Public holidays</th>
                <th scope="col">Closures</th>
                {canEdit && (
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {calendars.map((cal) => {
                const usedBy = policies.filter((p) => p.calendarId === cal.id).map((p) => p.name);
                return (
                  <tr key={cal.id} data-testid={`catalog-calendar-${cal.id}`} className={editingCalendar?.id === cal.id ? 'is-editing' : undefined}>
                    <td>
                      <div className="cell-primary">
                        <span>{cal.name}</span>
                        <span className="cell-secondary">{usedBy.length ? `Used by ${usedBy.join(', ')}` : 'Not used by a policy'}</span>
                      </div>
                    </td>
                    <td className="mono small">{cal.timezone}</td>
                    <td>{cal.alwaysOpen ? <Badge tone="violet">24x7</Badge> : <span className="small">{summariseWeek(cal.windows)}</span>}</td>
                    <td className="small">
                      {cal.alwaysOpen ? (
                        <span className="muted">Counted (24x7)</span>
                      ) : cal.holidayCountry ? (
                        <span className="mono">{cal.holidaySubdivision ? `${cal.holidayCountry}-${cal.holidaySubdivision}` : cal.holidayCountry}</span>
                      ) : (
                        <span className="muted">None</span>
                      )}
                    </td>
                    <td className="small">
                      {cal.closures.length === 0 ? (
                        <span className="muted">None</span>
                      ) : (
                        <span title={cal.closures.map((c) => `${formatCalendarDate(c.date)}${c.reason ? ` — ${c.reason}` : ''}`).join('\n')}>
                          {cal.closures.length} {cal.closures.length === 1 ? 'date' : 'dates'}
                        </span>
                      )}
                    </td>
                    {canEdit && (
                      <td className="num">
                        <Button size="sm" variant="ghost" onClick={() => start({ kind: 'edit', id: cal.id })} data-testid={`calendar-edit-${cal.id}`} aria-label={`Edit ${cal.name}`}>
                          Edit
                        </Button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {canEdit && editing && (editing.kind === 'new' || editingCalendar) && (
        <div className="card-section">
          <CalendarEditor
            key={editing.kind === 'new' ? 'new' : editing.id}
            calendar={editingCalendar}
            onCancel={() => setEditing(null)}
            onSaved={(cal) => {
              setEditing(null);
              setSaved(`Calendar “${cal.name}” saved.`);
              onChanged();
            }}
          />
        </div>
      )}
    </Card>
  );
}
