import { useEffect, useState } from 'react';
import { Alert, Button, SelectField } from '../../components/ui';
import type {
  AssignTicketMutation,
  AssignTicketMutationVariables,
  ChangeTicketStatusMutation,
  ChangeTicketStatusMutationVariables,
  Level,
  TicketFieldsFragment,
  TicketStatus,
  TriageTicketMutation,
  TriageTicketMutationVariables,
} from '../../graphql/generated';
import { ASSIGN_TICKET_MUTATION, CHANGE_TICKET_STATUS_MUTATION, TRIAGE_TICKET_MUTATION } from '../../graphql/operations';
import { LEVELS, LEVEL_LABEL, TICKET_STATUS_LABEL } from '../../lib/enums';
import { STAFF_TRANSITIONS, useTicketAction } from './ticketActions';
import { Card } from '../../components/Card';

export type StaffOption = { id: string; name: string };

const STATUS_FIELDS = ['status'] as const;
const ASSIGN_FIELDS = ['assigneeId'] as const;
const TRIAGE_FIELDS = ['impact', 'urgency'] as const;

export function StaffActions({
  ticket,
  clientSlug,
  staff,
  staffState = 'ready',
  onRetryStaff,
  myStaffId,
  onTicket,
}: {
  ticket: TicketFieldsFragment;
  clientSlug: string;
  /** Who the ticket can be given to: `assignableStaff(clientSlug)`. */
  staff: readonly StaffOption[];
  staffState?: 'loading' | 'ready' | 'error';
  onRetryStaff?: () => void;
  myStaffId: string | null;
  onTicket: (t: TicketFieldsFragment) => void;
}) {
  const status = useTicketAction<ChangeTicketStatusMutation, ChangeTicketStatusMutationVariables>(CHANGE_TICKET_STATUS_MUTATION, STATUS_FIELDS, onTicket);
  const assign = useTicketAction<AssignTicketMutation, AssignTicketMutationVariables>(ASSIGN_TICKET_MUTATION, ASSIGN_FIELDS, onTicket);
  const triage = useTicketAction<TriageTicketMutation, TriageTicketMutationVariables>(TRIAGE_TICKET_MUTATION, TRIAGE_FIELDS, onTicket);

  const [impact, setImpact] = useState<Level>(ticket.impact);
  const [urgency, setUrgency] = useState<Level>(ticket.urgency);
  // Follow the server when the ticket changes (poll, another action).
  useEffect(() => setImpact(ticket.impact), [ticket.impact]);
  useEffect(() => setUrgency(ticket.urgency), [ticket.urgency]);
  const triageChanged = impact !== ticket.impact || urgency !== ticket.urgency;

  const base = { number: ticket.number, clientSlug };
  const next = STAFF_TRANSITIONS[ticket.status];
  const currentAssignee = ticket.assignee?.id ?? '';
  const options = staff.some((s) => s.id === currentAssignee) || !ticket.assignee ? staff : [{ id: ticket.assignee.id, name: ticket.assignee.fullName }, ...staff];
  const canTakeIt = !!myStaffId && currentAssignee !== myStaffId && staff.some((s) => s.id === myStaffId);

  const general = [...status.generalMessages, ...assign.generalMessages, ...triage.generalMessages];

  return (
    <Card headingId="actions-heading" title="Work on it" testId="ticket-actions">
      <div className="pad stack-sm">
        {general.length > 0 && <Alert>{general.join(' ')}</Alert>}
        <SelectField
          label="Status"
          value={ticket.status}
          disabled={status.loading}
          onChange={(e) => void status.run({ ...base, status: e.target.value as TicketStatus })}
          error={status.errors.fields['status']}
          data-testid="ticket-status"
        >
          <option value={ticket.status}>{TICKET_STATUS_LABEL[ticket.status]}</option>
          {next.map((s) => (
            <option key={s} value={s}>
              → {TICKET_STATUS_LABEL[s]}
            </option>
          ))}
        </SelectField>
        <div>
          <SelectField
            label="Assignee"
            value={currentAssignee}
            disabled={assign.loading}
            onChange={(e) => void assign.run({ ...base, ...(e.target.value ? { assigneeId: e.target.value } : {}) })}
            error={assign.errors.fields['assigneeId']}
            data-testid="ticket-assign"
          >
            <option value="">Unassigned</option>
            {options.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
                {s.id === myStaffId ? ' (me)' : ''}
              </option>
            ))}
          </SelectField>
          {staffState === 'loading' && <p className="field-hint">Loading who can take this ticket…</p>}
          {staffState === 'error' && (
            <p className="field-hint" data-testid="ticket-assign-unavailable">
              Couldn’t load who can take this ticket.{' '}
              {onRetryStaff && (
                <button type="button" className="link-btn" onClick={onRetryStaff}>
                  Retry
                </button>
              )}
            </p>
          )}
          {canTakeIt && myStaffId && (
            <button type="button" className="link-btn small" onClick={() => void assign.run({ ...base, assigneeId: myStaffId })} data-testid="ticket-assign-me">
              Assign to me
            </button>
          )}
        </div>
        <fieldset className="fieldset triage" aria-describedby="triage-hint">
          <legend>Triage</legend>
          <div className="triage-grid">
            <SelectField label="Impact" value={impact} onChange={(e) => setImpact(e.target.value as Level)} error={triage.errors.fields['impact']} data-testid="ticket-impact">
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {LEVEL_LABEL[l]}
                </option>
              ))}
            </SelectField>
            <SelectField label="Urgency" value={urgency} onChange={(e) => setUrgency(e.target.value as Level)} error={triage.errors.fields['urgency']} data-testid="ticket-urgency">
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {LEVEL_LABEL[l]}
                </option>
              ))}
            </SelectField>
          </div>
          <div className="triage-footer">
            <span className="field-hint" id="triage-hint">
              Priority follows the triage matrix.
            </span>
            <Button size="sm" disabled={!triageChanged} loading={triage.loading} onClick={() => void triage.run({ ...base, impact, urgency })} data-testid="ticket-triage">
              Re-triage
            </Button>
          </div>
        </fieldset>
      </div>
    </Card>
  );
}
