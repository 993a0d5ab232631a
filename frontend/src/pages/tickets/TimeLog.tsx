import { useId, useState, type FormEvent } from 'react';
import { Alert, Badge, Button, TextField } from '../../components/ui';
import type { LogTimeMutation, LogTimeMutationVariables, TicketFieldsFragment } from '../../graphql/generated';
import { LOG_TIME_MUTATION } from '../../graphql/operations';
import { formatDate } from '../../lib/format';
import { formatMinutes } from '../../lib/sla';
import { useTicketAction } from './ticketActions';
import { Card } from '../../components/Card';

const TIME_FIELDS = ['minutes', 'note', 'billable', 'workDate'] as const;

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function TimeLog({
  ticket,
  clientSlug,
  onTicket,
}: {
  ticket: TicketFieldsFragment;
  clientSlug: string;
  onTicket: (t: TicketFieldsFragment) => void;
}) {
  const [minutes, setMinutes] = useState('');
  const [note, setNote] = useState('');
  const [billable, setBillable] = useState(true);
  const [workDate, setWorkDate] = useState(today);
  const [localError, setLocalError] = useState<string | null>(null);
  const billableId = useId();
  const log = useTicketAction<LogTimeMutation, LogTimeMutationVariables>(LOG_TIME_MUTATION, TIME_FIELDS, onTicket);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setLocalError(null);
    const n = Number(minutes);
    if (!minutes.trim() || !Number.isInteger(n) || n <= 0) {
      setLocalError('Enter whole minutes, e.g. 30.');
      return;
    }
    const r = await log.run({
      number: ticket.number,
      clientSlug,
      minutes: n,
      billable,
      ...(note.trim() ? { note: note.trim() } : {}),
      ...(workDate ? { workDate } : {}),
    });
    if (r.ok) {
      setMinutes('');
      setNote('');
    }
  }

  const entries = ticket.timeEntries;
  return (
    <Card
      headingId="time-heading"
      title="Time"
      testId="time-log"
      aside={
        <span className="small" data-testid="time-totals">
          <span className="muted">Billable</span> <strong>{formatMinutes(ticket.billableMinutes ?? 0)}</strong>
          <span className="muted"> · Total</span> <strong>{formatMinutes(ticket.totalMinutes ?? 0)}</strong>
        </span>
      }
    >
      {entries.length > 0 && (
        <ul className="time-entries">
          {entries.map((t) => (
            <li key={t.id}>
              <div className="time-entry-main">
                <strong className="tabular">{formatMinutes(t.minutes)}</strong>
                {t.rawMinutes !== t.minutes && <span className="small muted"> ({t.rawMinutes}m logged)</span>}
                {t.billable ? <Badge tone="green">Billable</Badge> : <Badge>Non-billable</Badge>}
              </div>
              <div className="small muted">
                {formatDate(t.workDate)} · {t.technician?.fullName ?? 'Unknown'}
                {t.note && <> · {t.note}</>}
              </div>
            </li>
          ))}
        </ul>
      )}
      <form className="card-section time-form" onSubmit={(e) => void submit(e)} noValidate aria-label="Log time">
        {log.generalMessages.length > 0 && <Alert className="mb">{log.generalMessages.join(' ')}</Alert>}
        <div className="time-grid">
          <TextField
            label="Minutes"
            type="number"
            inputMode="numeric"
            min={1}
            max={1440}
            step={1}
            value={minutes}
            onChange={(e) => setMinutes(e.target.value)}
            error={localError ?? log.errors.fields['minutes']}
            data-testid="time-minutes"
          />
          <TextField
            label="Date"
            type="date"
            max={today()}
            value={workDate}
            onChange={(e) => setWorkDate(e.target.value)}
            error={log.errors.fields['workDate']}
            hint={
              // The native picker shows the browser's own format; say the day the way the rest of the page does.
              workDate ? (
                <span data-testid="time-date-display">
                  {formatDate(workDate)}
                  {workDate === today() && ' (today)'}
                </span>
              ) : (
                'Pick the day the work was done.'
              )
            }
            data-testid="time-date"
          />
        </div>
        <TextField
          label="Note"
          optional
          value={note}
          maxLength={300}
          onChange={(e) => setNote(e.target.value)}
          error={log.errors.fields['note']}
          fieldClassName="mt"
          data-testid="time-note"
        />
        <div className="time-actions">
          <label className="checkbox-row small" htmlFor={billableId}>
            <input id={billableId} type="checkbox" checked={billable} onChange={(e) => setBillable(e.target.checked)} data-testid="time-billable" />
            Billable
          </label>
          <Button type="submit" size="sm" variant="primary" loading={log.loading} data-testid="time-submit">
            Log time
          </Button>
        </div>
        <p className="field-hint">Rounded up to the billing increment when saved.</p>
      </form>
    </Card>
  );
}
