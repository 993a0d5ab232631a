import { useState } from 'react';
import { Link } from 'react-router';
import { Alert, Badge, Button } from '../../components/ui';
import type {
  CompleteFollowUpMutation,
  CompleteFollowUpMutationVariables,
  CreateTicketFromFollowUpMutation,
  CreateTicketFromFollowUpMutationVariables,
  FollowUpFieldsFragment,
} from '../../graphql/generated';
import { useMutation } from '../../graphql/hooks';
import { COMPLETE_FOLLOW_UP_MUTATION, CREATE_TICKET_FROM_FOLLOW_UP_MUTATION } from '../../graphql/operations';
import { formatDate } from '../../lib/format';
import { errorText } from './outreach';

/** Open follow-ups: mark done, or turn into a service-desk ticket in one step. */
export function FollowUpList({
  followUps,
  onChanged,
  showClient = false,
}: {
  followUps: readonly FollowUpFieldsFragment[];
  onChanged: () => void;
  showClient?: boolean;
}) {
  const [complete, completing] = useMutation<CompleteFollowUpMutation, CompleteFollowUpMutationVariables>(
    COMPLETE_FOLLOW_UP_MUTATION,
  );
  const [toTicket, ticketing] = useMutation<CreateTicketFromFollowUpMutation, CreateTicketFromFollowUpMutationVariables>(
    CREATE_TICKET_FROM_FOLLOW_UP_MUTATION,
  );
  const [problem, setProblem] = useState('');

  async function done(id: string) {
    const data = await complete({ id, done: true });
    if (data?.completeFollowUp.errors.length) setProblem(errorText(data.completeFollowUp.errors));
    else onChanged();
  }

  async function ticket(id: string) {
    const data = await toTicket({ id });
    if (data?.createTicketFromFollowUp.errors.length) setProblem(errorText(data.createTicketFromFollowUp.errors));
    else onChanged();
  }

  if (followUps.length === 0) return <p className="muted">No open follow-ups.</p>;
  return (
    <>
      {(problem || completing.error || ticketing.error) && (
        <Alert>{problem || completing.error?.message || ticketing.error?.message}</Alert>
      )}
      <ul className="outreach-list" data-testid="follow-ups">
        {followUps.map((f) => (
          <li key={f.id}>
            <div className="outreach-row-main">
              <strong>{f.title}</strong>{' '}
              {f.overdue && <Badge tone="accent">Overdue</Badge>} {f.fromHealthFall && <Badge tone="amber">Health fell</Badge>}
              <div className="muted small">
                Due {formatDate(f.dueOn)} · {f.owner.fullName}
                {showClient && (
                  <>
                    {' · '}
                    <Link to={`/outreach/clients/${encodeURIComponent(f.clientSlug)}`}>{f.clientName}</Link>
                  </>
                )}
                {f.ticketNumber !== null && f.ticketNumber !== undefined && (
                  <>
                    {' · '}
                    <Link to={`/tickets/${encodeURIComponent(f.clientSlug)}/${f.ticketNumber}`}>Ticket #{f.ticketNumber}</Link>
                  </>
                )}
              </div>
              {f.detail && <div className="small">{f.detail}</div>}
            </div>
            <div className="outreach-row-actions">
              {(f.ticketNumber === null || f.ticketNumber === undefined) && (
                <Button size="sm" onClick={() => void ticket(f.id)} loading={ticketing.loading} aria-label={`Make a ticket of “${f.title}”`}>
                  Make a ticket
                </Button>
              )}
              <Button size="sm" onClick={() => void done(f.id)} loading={completing.loading} aria-label={`Mark “${f.title}” done`}>
                Done
              </Button>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}
