import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useViewer } from '../../auth/ViewerContext';
import { PriorityWithReason, TicketStatusPill } from '../../components/desk';
import { Alert, Badge, Button, EmptyState } from '../../components/ui';
import type {
  ChangeTicketStatusMutation,
  ChangeTicketStatusMutationVariables,
  TicketFieldsFragment,
  TicketPageQuery,
  TicketPageQueryVariables,
} from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { CHANGE_TICKET_STATUS_MUTATION, TICKET_PAGE_QUERY } from '../../graphql/operations';
import { usePublishPageClient } from '../../layout/pageClient';
import { CHANNEL_LABEL, LEVEL_LABEL, SERVICE_LINE_LABEL } from '../../lib/enums';
import { formatDateTime, formatRelative } from '../../lib/format';
import { clientUserSlug, parseTicketNumber, requestPath, ticketPath } from '../../lib/tickets';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { NewRequestDialog } from '../requests/NewRequestDialog';
import { ReplyBox } from './ReplyBox';
import { SlaPanel } from './SlaPanel';
import { StaffActions, type StaffOption } from './StaffActions';
import { staffGlobalId, staffPk, useTicketAction } from './ticketActions';
import { Timeline } from './Timeline';
import { DetailSkeleton } from '../../components/CardsSkeleton';
import { Card } from '../../components/Card';
import './followUps.css';
import { TimeLog } from './TimeLog';
import { TicketHistoryPanel } from '../../components/HistoryPanel';
import { QueryError } from '../../components/QueryError';
import './tickets.css';

/** The ticket page refreshes its SLA clocks and timeline this often. */
export const TICKET_POLL_MS = 30_000;

const NO_FIELDS = [] as const;

/** The newer of two versions of the ticket (a mutation's answer vs. the last poll). */
function newer(a: TicketFieldsFragment | null, b: TicketFieldsFragment | null): TicketFieldsFragment | null {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(a.updatedAt) > Date.parse(b.updatedAt) ? a : b;
}

/** Staff: /tickets/:clientSlug/:number. Client users: /requests/:number (the portal host names the client). */
export function TicketPage() {
  const params = useParams();
  const { viewer } = useViewer();
  const isStaff = !!viewer?.isMspStaff;
  const number = parseTicketNumber(params['number']);
  const clientSlug = isStaff ? params['clientSlug'] : clientUserSlug(viewer);
  // One request for the whole page (ticket, SLA policy, assignee choices, the top bar's client).
  const variables = useMemo<TicketPageQueryVariables>(
    () => ({ number: number ?? 0, isStaff, ...(clientSlug ? { clientSlug } : {}) }),
    [number, clientSlug, isStaff],
  );
  const q = useQuery<TicketPageQuery, TicketPageQueryVariables>(TICKET_PAGE_QUERY, variables, { skip: number === null, pollInterval: TICKET_POLL_MS });

  const [fromMutation, setFromMutation] = useState<TicketFieldsFragment | null>(null);
  const polled = q.data?.ticket ?? null;
  const ticket = newer(polled && fromMutation && polled.number !== fromMutation.number ? null : fromMutation, polled);
  const onTicket = useCallback((t: TicketFieldsFragment) => setFromMutation(t), []);
  useEffect(() => setFromMutation(null), [number, clientSlug]);

  useDocumentTitle(ticket ? `#${ticket.number} ${ticket.title}` : number ? `#${number}` : 'Ticket');

  // The policy's warning thresholds colour the SLA clocks (75 % when unavailable).
  const slaPolicy = q.data?.clientSla?.policy;
  const assignableStaff = q.data?.assignableStaff;
  usePublishPageClient(isStaff ? q.data?.client : null);
  const myStaffId = isStaff && viewer ? staffGlobalId(viewer.id) : null;

  // Who can be given the ticket (the server's list for this client), and everyone we can
  // name in "assigned to …" timeline lines.
  const { staffOptions, staffNames } = useMemo(() => {
    const options: StaffOption[] = (assignableStaff ?? []).map((s) => ({ id: s.id, name: s.fullName || s.email }));
    const named = new Map<string, string>();
    const add = (s: { id: string; fullName: string; email: string }) => named.set(s.id, s.fullName || s.email);
    if (myStaffId && viewer) add({ id: myStaffId, fullName: viewer.fullName, email: viewer.email });
    for (const s of assignableStaff ?? []) add(s);
    if (ticket?.assignee) add(ticket.assignee);
    for (const t of ticket?.timeEntries ?? []) if (t.technician) add(t.technician);
    const names = new Map<string, string>();
    for (const [id, name] of named) {
      const pk = staffPk(id);
      if (pk) names.set(pk, name);
    }
    return { staffOptions: options, staffNames: names };
  }, [assignableStaff, ticket, myStaffId, viewer]);

  const [followingUp, setFollowingUp] = useState(false);
  const navigate = useNavigate();
  const linkTo = (n: number) => (isStaff && clientSlug ? ticketPath(clientSlug, n) : requestPath(n));

  const listPath = isStaff ? '/queue' : '/requests';
  const listLabel = isStaff ? 'Queue' : 'Requests';

  let content;
  if (number === null) {
    content = <NotFound listPath={listPath} listLabel={listLabel} what={params['number'] ?? ''} />;
  } else if (q.error && !ticket) {
    content = (
      <QueryError title="Couldn’t load this ticket" error={q.error} onRetry={q.refetch} retrying={q.loading} />
    );
  } else if (q.data && !ticket) {
    content = <NotFound listPath={listPath} listLabel={listLabel} what={`#${number}`} />;
  } else if (!ticket) {
    content = <DetailSkeleton label="Loading ticket" titleWidth={420} />;
  } else {
    content = (
      <>
        <TicketHeader ticket={ticket} isStaff={isStaff} linkTo={linkTo} />
        {q.error && (
          <Alert tone="warning" className="mb" title="Couldn’t refresh">
            {q.error.message} The ticket below may be out of date.
          </Alert>
        )}
        <div className="detail-grid ticket-grid">
          <div className="detail-main">
            {ticket.description && (
              <section className="card" aria-label="Description">
                <div className="ticket-description" data-testid="ticket-description">
                  {ticket.description}
                </div>
              </section>
            )}
            <Card headingId="timeline-heading" title={<>Activity <span className="count">{ticket.timeline.length}</span></>}>
              <Timeline entries={ticket.timeline} staffNames={staffNames} viewerIsStaff={isStaff} />
            </Card>
            {!isStaff && ticket.status === 'RESOLVED' && (
              <ResolvedPrompt ticket={ticket} clientSlug={clientSlug} onTicket={onTicket} onFollowUp={() => setFollowingUp(true)} />
            )}
            {ticket.status === 'CLOSED' && <ClosedNotice ticket={ticket} isStaff={isStaff} onFollowUp={() => setFollowingUp(true)} />}
            {(ticket.status !== 'CLOSED' || isStaff) && (
              <ReplyBox
                key={`${clientSlug}-${ticket.number}-${ticket.status === 'CLOSED' ? 'closed' : 'open'}`}
                ticket={ticket}
                clientSlug={clientSlug}
                canWriteInternal={isStaff}
                internalOnly={ticket.status === 'CLOSED'}
                onTicket={onTicket}
              />
            )}
            {followingUp && (
              <NewRequestDialog
                clientSlug={clientSlug}
                followUpOf={{ number: ticket.number, title: ticket.title }}
                onClose={() => setFollowingUp(false)}
                onCreated={(t) => {
                  setFollowingUp(false);
                  navigate(requestPath(t.number));
                }}
              />
            )}
          </div>
          <aside className="detail-side">
            {isStaff && clientSlug && <StaffActions
                ticket={ticket}
                clientSlug={clientSlug}
                staff={staffOptions}
                staffState={assignableStaff ? 'ready' : q.error ? 'error' : 'loading'}
                onRetryStaff={() => void q.refetch()}
                myStaffId={myStaffId}
                onTicket={onTicket}
              />}
            <SlaPanel clocks={ticket.slaClocks} policy={slaPolicy} isStaff={isStaff} problem={ticket.slaProblem} />
            {isStaff && clientSlug && <TimeLog ticket={ticket} clientSlug={clientSlug} onTicket={onTicket} />}
            <TicketFacts ticket={ticket} />
            {isStaff && clientSlug && <TicketHistoryPanel key={`${clientSlug}-${ticket.number}`} number={ticket.number} clientSlug={clientSlug} />}
          </aside>
        </div>
      </>
    );
  }

  return (
    <div className="page">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <Link to={listPath}>{listLabel}</Link>
        {isStaff && clientSlug && (
          <>
            <span aria-hidden="true">/</span>
            <Link to={`/clients/${encodeURIComponent(clientSlug)}`}>{ticket?.client.name ?? clientSlug}</Link>
          </>
        )}
        <span aria-hidden="true">/</span>
        <span aria-current="page">#{number ?? params['number']}</span>
      </nav>
      {content}
    </div>
  );
}

function TicketHeader({ ticket: t, isStaff, linkTo }: { ticket: TicketFieldsFragment; isStaff: boolean; linkTo: (n: number) => string }) {
  return (
    <div className="detail-header ticket-header">
      <div>
        <h1 className="page-title" data-testid="ticket-title">
          <span className="ticket-number">#{t.number}</span> {t.title}
        </h1>
        <div className="detail-meta">
          {isStaff && <span className="strong">{t.client.name}</span>}
          <span data-testid="ticket-status-pill">
            <TicketStatusPill status={t.status} />
          </span>
          <PriorityWithReason priority={t.priority} reason={t.priorityReason} />
          <Badge>{SERVICE_LINE_LABEL[t.serviceLine]}</Badge>
          <span className="muted">
            Requested by <span className="strong">{t.requester.fullName || t.requester.email}</span> ·{' '}
            <time dateTime={t.createdAt} title={formatDateTime(t.createdAt)}>
              {formatRelative(t.createdAt)}
            </time>
          </span>
        </div>
        {(t.followUpOf || t.followUps.length > 0) && (
          <div className="ticket-links small" data-testid="ticket-links">
            {t.followUpOf && (
              <span>
                Follows up{' '}
                <Link to={linkTo(t.followUpOf.number)} data-testid="follow-up-of">
                  #{t.followUpOf.number} {t.followUpOf.title}
                </Link>
              </span>
            )}
            {t.followUps.length > 0 && (
              <span>
                Followed up by{' '}
                {t.followUps.map((f, i) => (
                  <span key={f.number}>
                    {i > 0 && ', '}
                    <Link to={linkTo(f.number)} data-testid="follow-up">
                      #{f.number} {f.title}
                    </Link>
                  </span>
                ))}
              </span>
            )}
          </div>
        )}
      </div>
    </div>
  );
}

/** A closed ticket takes no replies: clients raise a linked new request; staff reopen it first. */
function ClosedNotice({ ticket, isStaff, onFollowUp }: { ticket: TicketFieldsFragment; isStaff: boolean; onFollowUp: () => void }) {
  return (
    <section className="card closed-notice" aria-label="This request is closed" data-testid="closed-notice">
      <div className="pad">
        <div className="strong">{isStaff ? 'This ticket is closed.' : 'This request is closed.'}</div>
        {isStaff ? (
          <p className="small muted mt-xs">
            Closed tickets take no replies. To write to the client, reopen it first (Status in the side panel). Internal notes are still possible.
          </p>
        ) : (
          <>
            <p className="small muted mt-xs">
              Closed requests take no more replies. If the problem is back or you need something related, raise a new request: it will be linked to #{ticket.number}.
            </p>
            <div className="row gap-sm mt">
              <Button variant="primary" size="sm" onClick={onFollowUp} data-testid="ticket-follow-up">
                New request about this
              </Button>
            </div>
          </>
        )}
      </div>
    </section>
  );
}

function TicketFacts({ ticket: t }: { ticket: TicketFieldsFragment }) {
  return (
    <Card headingId="ticket-facts-heading" title="Details">
      <dl className="facts">
        <dt>Requester</dt>
        <dd>
          <div>{t.requester.fullName}</div>
          <a className="subtle-link small break" href={`mailto:${t.requester.email}`}>
            {t.requester.email}
          </a>
        </dd>
        <dt>Assignee</dt>
        <dd data-testid="ticket-assignee">{t.assignee ? t.assignee.fullName : <span className="muted">Unassigned</span>}</dd>
        <dt>Impact / urgency</dt>
        <dd>
          {LEVEL_LABEL[t.impact]} / {LEVEL_LABEL[t.urgency]}
        </dd>
        {t.category && (
          <>
            <dt>Category</dt>
            <dd>{t.category}</dd>
          </>
        )}
        <dt>Channel</dt>
        <dd>{CHANNEL_LABEL[t.channel]}</dd>
        <dt>Created</dt>
        <dd>{formatDateTime(t.createdAt)}</dd>
        <dt>Updated</dt>
        <dd>{formatDateTime(t.updatedAt)}</dd>
        {t.resolvedAt && (
          <>
            <dt>Resolved</dt>
            <dd>{formatDateTime(t.resolvedAt)}</dd>
          </>
        )}
      </dl>
    </Card>
  );
}

/** Client users confirm a resolution (close) or say it isn't fixed (reopen). */
function ResolvedPrompt({
  ticket,
  clientSlug,
  onTicket,
  onFollowUp,
}: {
  ticket: TicketFieldsFragment;
  clientSlug: string | undefined;
  onTicket: (t: TicketFieldsFragment) => void;
  onFollowUp: () => void;
}) {
  // The server says until when a reopen is allowed (null once the window has passed).
  const reopenUntil = ticket.clientMayReopenUntil;
  const mayReopen = !!reopenUntil;
  const change = useTicketAction<ChangeTicketStatusMutation, ChangeTicketStatusMutationVariables>(CHANGE_TICKET_STATUS_MUTATION, NO_FIELDS, onTicket);
  const [pending, setPending] = useState<'CLOSED' | 'OPEN' | null>(null);
  async function go(status: 'CLOSED' | 'OPEN') {
    setPending(status);
    await change.run({ number: ticket.number, ...(clientSlug ? { clientSlug } : {}), status });
    setPending(null);
  }
  return (
    <section className="card resolved-prompt" aria-label="Is it fixed?" data-testid="resolved-prompt">
      <div className="pad">
        <div className="strong">The service desk marked this request as resolved.</div>
        <p className="small muted mt-xs">
          {mayReopen && reopenUntil ? (
            <>
              Is everything working again? Close the request, or reopen it if the problem is still there (possible until{' '}
              <time dateTime={reopenUntil}>{formatDateTime(reopenUntil)}</time>).
            </>
          ) : (
            <>Is everything working again? Close the request. It was resolved too long ago to reopen: if the problem is back, raise a new request linked to this one.</>
          )}
        </p>
        {change.generalMessages.length > 0 && <Alert className="mt">{change.generalMessages.join(' ')}</Alert>}
        <div className="row gap-sm mt">
          <Button variant="primary" size="sm" loading={pending === 'CLOSED'} disabled={!!pending} onClick={() => void go('CLOSED')} data-testid="ticket-close">
            Yes, close it
          </Button>
          {mayReopen ? (
            <Button size="sm" loading={pending === 'OPEN'} disabled={!!pending} onClick={() => void go('OPEN')} data-testid="ticket-reopen">
              No, reopen it
            </Button>
          ) : (
            <Button size="sm" disabled={!!pending} onClick={onFollowUp} data-testid="ticket-follow-up">
              New request about this
            </Button>
          )}
        </div>
      </div>
    </section>
  );
}

function NotFound({ listPath, listLabel, what }: { listPath: string; listLabel: string; what: string }) {
  return (
    <EmptyState
      title="Ticket not found"
      action={
        <Link to={listPath} className="btn btn-secondary btn-sm">
          Back to {listLabel.toLowerCase()}
        </Link>
      }
    >
      There is no ticket <span className="mono">{what}</span> here, or you don’t have access to it.
    </EmptyState>
  );
}

