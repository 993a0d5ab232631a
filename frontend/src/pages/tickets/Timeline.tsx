import clsx from 'clsx';
import type { ReactNode } from 'react';
import { Avatar, Badge } from '../../components/ui';
import type { Priority, TicketFieldsFragment, TicketStatus } from '../../graphql/generated';
import { PRIORITIES, TICKET_STATUSES, TICKET_STATUS_LABEL, isOneOf } from '../../lib/enums';
import { formatBytes } from '../../lib/files';
import { formatDateTime, formatRelative } from '../../lib/format';
import { formatMinutes, parseJson } from '../../lib/sla';
import { PaperclipIcon } from './ReplyBox';

export type TimelineItem = TicketFieldsFragment['timeline'][number];
export type TimelineAttachment = TimelineItem['attachments'][number];

/** Download links are same-origin paths (`/attachments/<slug>/<id>`); anything else is not linked. */
export function isSameOriginPath(url: string): boolean {
  return url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/\\');
}

type Detail = {
  from?: unknown;
  to?: unknown;
  priority?: unknown;
  assignee_id?: unknown;
  minutes?: unknown;
  reason?: unknown;
  follow_up_of?: unknown;
  number?: unknown;
  event?: unknown;
  service?: unknown;
  monitor?: unknown;
  down_minutes?: unknown;
};

function statusLabel(v: unknown): string {
  const s = typeof v === 'string' ? v.toUpperCase() : '';
  return isOneOf<TicketStatus>(TICKET_STATUSES, s) ? TICKET_STATUS_LABEL[s] : String(v ?? '—');
}

function priorityText(v: unknown): string {
  const p = typeof v === 'string' ? v.toUpperCase() : '';
  return isOneOf<Priority>(PRIORITIES, p) ? p : String(v ?? '—');
}

/** What an event line says after the actor's name. */
export function describeEvent(entry: TimelineItem, staffNames: ReadonlyMap<string, string>): ReactNode {
  const d = parseJson<Detail>(entry.detail, {});
  switch (entry.kind) {
    case 'created':
      return (
        <>
          opened the ticket{d.priority ? <> as <strong>{priorityText(d.priority)}</strong></> : null}
          {typeof d.follow_up_of === 'number' ? <> as a follow-up of <strong>#{d.follow_up_of}</strong></> : null}
        </>
      );
    case 'follow_up':
      return typeof d.number === 'number' ? (
        <>
          raised <strong>#{d.number}</strong> as a follow-up of this request
        </>
      ) : (
        'raised a follow-up of this request'
      );
    case 'status':
      return (
        <>
          changed the status{d.from ? <> from <strong>{statusLabel(d.from)}</strong></> : null} to <strong>{statusLabel(d.to)}</strong>
        </>
      );
    case 'assigned': {
      if (d.assignee_id === null || d.assignee_id === undefined || d.assignee_id === '') {
        // Set when the server unassigned it because the assignee lost access (staff-only entry).
        return typeof d.reason === 'string' && d.reason ? `unassigned the ticket: ${d.reason}` : 'unassigned the ticket';
      }
      const name = staffNames.get(String(d.assignee_id));
      return name ? (
        <>
          assigned the ticket to <strong>{name}</strong>
        </>
      ) : (
        'assigned the ticket'
      );
    }
    case 'triaged':
      return (
        <>
          re-triaged the ticket: <strong>{priorityText(d.from)}</strong> → <strong>{priorityText(d.to)}</strong>
        </>
      );
    case 'monitoring':
      // Written by monitoring (no person): the outage began or ended.
      return d.event === 'recovered' ? (
        <>
          saw <strong>{String(d.service ?? 'the service')}</strong> recover
          {typeof d.down_minutes === 'number' ? <> after {formatMinutes(d.down_minutes)} down</> : null}
        </>
      ) : (
        <>
          saw <strong>{String(d.service ?? 'the service')}</strong> go down
          {typeof d.monitor === 'string' ? <> (monitor “{d.monitor}”)</> : null}
        </>
      );
    case 'time':
      return (
        <>
          logged <strong>{formatMinutes(typeof d.minutes === 'number' ? d.minutes : null)}</strong>
        </>
      );
    default:
      return entry.kind.replace(/_/g, ' ');
  }
}

export function Timeline({
  entries,
  staffNames,
  viewerIsStaff,
}: {
  entries: readonly TimelineItem[];
  /** StaffMember database id → name, to name assignees in "assigned" events. */
  staffNames: ReadonlyMap<string, string>;
  viewerIsStaff: boolean;
}) {
  if (entries.length === 0) return <p className="muted small pad">Nothing has happened yet.</p>;
  return (
    <ol className="timeline" data-testid="timeline">
      {entries.map((e) =>
        e.kind === 'reply' || e.kind === 'note' ? (
          <Message key={e.id} entry={e} viewerIsStaff={viewerIsStaff} />
        ) : (
          <li key={e.id} className={clsx('tl-event', e.isInternal && 'is-internal')} data-kind={e.kind} data-testid="timeline-entry">
            <span className="tl-icon" aria-hidden="true">
              <EventIcon kind={e.kind} />
            </span>
            <span className="tl-text">
              <span className="strong">{e.actorName ?? 'System'}</span> {describeEvent(e, staffNames)}
              {e.isInternal && (
                <>
                  {' '}
                  <Badge tone="amber">Internal</Badge>
                </>
              )}
            </span>
            <time className="tl-time" dateTime={e.at} title={formatDateTime(e.at)}>
              {formatRelative(e.at)}
            </time>
          </li>
        ),
      )}
    </ol>
  );
}

function Message({ entry: e, viewerIsStaff }: { entry: TimelineItem; viewerIsStaff: boolean }) {
  const internal = e.isInternal || e.kind === 'note';
  const name = e.actorName ?? 'Unknown';
  return (
    <li className={clsx('tl-message', internal && 'is-internal', e.actorIsStaff && 'from-staff')} data-kind={e.kind} data-testid="timeline-entry">
      <Avatar name={name} size={28} />
      <div className="tl-bubble">
        <div className="tl-head">
          <span className="strong">{name}</span>
          {e.actorIsStaff && !viewerIsStaff && <Badge tone="accent">Service desk</Badge>}
          {e.actorIsStaff && viewerIsStaff && <Badge tone="grey">Staff</Badge>}
          {internal && (
            <span data-testid="internal-badge">
              <Badge tone="amber">Internal</Badge>
            </span>
          )}
          <time className="tl-time" dateTime={e.at} title={formatDateTime(e.at)}>
            {formatDateTime(e.at)} · {formatRelative(e.at)}
          </time>
        </div>
        {(e.body || e.attachments.length === 0) && <div className="tl-body">{e.body || <span className="muted">(no text)</span>}</div>}
        {e.attachments.length > 0 && <Attachments items={e.attachments} />}
      </div>
    </li>
  );
}

/** The message's files as download links (the session cookie authorises the download). */
function Attachments({ items }: { items: readonly TimelineAttachment[] }) {
  return (
    <ul className="attachments tl-attachments" aria-label="Attachments" data-testid="timeline-attachments">
      {items.map((a) => {
        const size = formatBytes(a.sizeBytes);
        const inner = (
          <>
            <PaperclipIcon />
            <span className="attachment-name">{a.filename}</span>
            <span className="muted small">{size}</span>
          </>
        );
        return (
          <li key={a.id}>
            {isSameOriginPath(a.url) ? (
              <a className="attachment attachment-link" href={a.url} download={a.filename} title={`Download ${a.filename} (${size})`} data-testid="timeline-attachment">
                {inner}
              </a>
            ) : (
              <span className="attachment" data-testid="timeline-attachment">
                {inner}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function EventIcon({ kind }: { kind: string }) {
  const paths: Record<string, string> = {
    created: 'M8 3v10M3 8h10',
    status: 'M3 8h8M8 5l3 3-3 3',
    assigned: 'M8 7.5a2.2 2.2 0 100-4.4 2.2 2.2 0 000 4.4zM3.8 13c.5-2.2 2.2-3.4 4.2-3.4s3.7 1.2 4.2 3.4',
    triaged: 'M4 12V8M8 12V5M12 12V3',
    time: 'M8 4v4l2.5 1.5M8 14A6 6 0 108 2a6 6 0 000 12z',
  };
  return (
    <svg viewBox="0 0 16 16" width="12" height="12">
      <path d={paths[kind] ?? 'M8 8h.01'} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
