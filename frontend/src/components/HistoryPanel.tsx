import { useId, useState, type ReactNode } from 'react';
import type {
  ClientHistoryQuery,
  ClientHistoryQueryVariables,
  HistoryEntryFieldsFragment,
  TicketHistoryQuery,
  TicketHistoryQueryVariables,
} from '../graphql/generated';
import { useQuery } from '../graphql/hooks';
import { CLIENT_HISTORY_QUERY, TICKET_HISTORY_QUERY } from '../graphql/operations';
import { formatDateTime } from '../lib/format';
import { Alert, Button, Spinner } from './ui';
import './HistoryPanel.css';

const KIND_LABEL: Record<string, string> = { created: 'created', changed: 'changed', deleted: 'removed' };

function fieldLabel(field: string): string {
  return field.replace(/_/g, ' ');
}

function value(v: string | null | undefined): string {
  return v === null || v === undefined || v === '' ? '—' : v;
}

/** The recorded changes, newest first: who, when, what, and each field's before → after. */
export function HistoryList({ entries }: { entries: HistoryEntryFieldsFragment[] }) {
  if (entries.length === 0) return <p className="muted small pad">No recorded changes.</p>;
  return (
    <ol className="history-list" aria-label="Change history">
      {entries.map((e, i) => (
        <li key={`${e.at}-${i}`} className="history-entry">
          <div className="small">
            <span className="strong">{e.subject}</span> {e.label} {KIND_LABEL[e.kind] ?? e.kind}
            {' · '}
            <time dateTime={e.at}>{formatDateTime(e.at)}</time>
            {' · '}
            <span>{e.actorName || 'system'}</span>
          </div>
          {e.changes.length > 0 && (
            <ul className="history-changes small muted">
              {e.changes.map((c) => (
                <li key={c.field}>
                  {fieldLabel(c.field)}: {e.kind === 'created' ? value(c.after) : `${value(c.before)} → ${value(c.after)}`}
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}

function Panel({
  title,
  loaded,
  children,
  open,
  onOpen,
}: {
  title: string;
  loaded: boolean;
  children: ReactNode;
  open: boolean;
  onOpen: () => void;
}) {
  const headingId = useId();
  return (
    <section className="card" aria-labelledby={headingId}>
      <div className="card-header">
        <h2 className="card-title" id={headingId}>
          {title}
        </h2>
        {!open && (
          <Button size="sm" variant="secondary" onClick={onOpen}>
            Show history
          </Button>
        )}
      </div>
      {open && (loaded ? children : <div className="pad"><Spinner label="Loading history" /></div>)}
    </section>
  );
}

/** Staff: a ticket's change history, loaded when opened. */
export function TicketHistoryPanel({ number, clientSlug }: { number: number; clientSlug: string }) {
  const [open, setOpen] = useState(false);
  const q = useQuery<TicketHistoryQuery, TicketHistoryQueryVariables>(
    TICKET_HISTORY_QUERY,
    { number, clientSlug },
    { skip: !open },
  );
  return (
    <Panel title="History" open={open} onOpen={() => setOpen(true)} loaded={!!q.data || !!q.error}>
      {q.error ? <Alert title="Couldn’t load the history">{q.error.message}</Alert> : <HistoryList entries={q.data?.ticket?.history ?? []} />}
    </Panel>
  );
}

/** Staff: a client's change history (status, memberships, staff access), loaded when opened. */
export function ClientHistoryPanel({ slug }: { slug: string }) {
  const [open, setOpen] = useState(false);
  const q = useQuery<ClientHistoryQuery, ClientHistoryQueryVariables>(CLIENT_HISTORY_QUERY, { slug }, { skip: !open });
  return (
    <Panel title="History" open={open} onOpen={() => setOpen(true)} loaded={!!q.data || !!q.error}>
      {q.error ? <Alert title="Couldn’t load the history">{q.error.message}</Alert> : <HistoryList entries={q.data?.client?.history ?? []} />}
    </Panel>
  );
}
