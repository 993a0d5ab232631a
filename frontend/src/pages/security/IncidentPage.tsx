import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useViewer } from '../../auth/ViewerContext';
import { Card } from '../../components/Card';
import { DetailSkeleton } from '../../components/CardsSkeleton';
import { QueryError } from '../../components/QueryError';
import { Alert, Badge, Button, EmptyState, Modal, SelectField } from '../../components/ui';
import type {
  AddSecurityIncidentNoteMutation,
  AddSecurityIncidentNoteMutationVariables,
  AssignableStaffQuery,
  AssignableStaffQueryVariables,
  AssignSecurityIncidentMutation,
  AssignSecurityIncidentMutationVariables,
  ChangeSecurityIncidentSeverityMutation,
  ChangeSecurityIncidentSeverityMutationVariables,
  ChangeSecurityIncidentStatusMutation,
  ChangeSecurityIncidentStatusMutationVariables,
  SecurityIncidentFieldsFragment,
  SecurityIncidentQuery,
  SecurityIncidentQueryVariables,
  SecurityIncidentStatus,
  SecuritySeverity,
  SetSecurityIncidentAffectedMutation,
  SetSecurityIncidentAffectedMutationVariables,
} from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import {
  ADD_SECURITY_INCIDENT_NOTE_MUTATION,
  ASSIGN_SECURITY_INCIDENT_MUTATION,
  ASSIGNABLE_STAFF_QUERY,
  CHANGE_SECURITY_INCIDENT_SEVERITY_MUTATION,
  CHANGE_SECURITY_INCIDENT_STATUS_MUTATION,
  SECURITY_INCIDENT_QUERY,
  SET_SECURITY_INCIDENT_AFFECTED_MUTATION,
} from '../../graphql/operations';
import { formatDateTime, formatRelative } from '../../lib/format';
import { parseJson } from '../../lib/sla';
import { clientUserSlug, parseTicketNumber } from '../../lib/tickets';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { SlaPanel } from '../tickets/SlaPanel';
import { AffectedPicker, type Named } from './AffectedPicker';
import { IncidentStatusPill, SeverityPill } from './SecurityPills';
import { INCIDENT_TRANSITIONS, KIND_LABEL, SEVERITIES, SEVERITY_LABEL, staffCampaignPath, staffSecurityPath, timelineText } from './security';
import { useSecurityAction } from './useSecurityAction';
import '../tickets/tickets.css';
import './security.css';

export const INCIDENT_POLL_MS = 30_000;
type Incident = SecurityIncidentFieldsFragment;
const NO_FIELDS = [] as const;

/** Staff: /security/:clientSlug/incidents/:number. Client users: /incidents/:number. */
export function IncidentPage() {
  const params = useParams();
  const { viewer } = useViewer();
  const isStaff = !!viewer?.isMspStaff;
  const number = parseTicketNumber(params['number']);
  const clientSlug = isStaff ? params['clientSlug'] : clientUserSlug(viewer);
  const variables = useMemo<SecurityIncidentQueryVariables>(() => ({ number: number ?? 0, ...(clientSlug ? { clientSlug } : {}) }), [number, clientSlug]);
  const q = useQuery<SecurityIncidentQuery, SecurityIncidentQueryVariables>(SECURITY_INCIDENT_QUERY, variables, { skip: number === null, pollInterval: INCIDENT_POLL_MS });
  const [fresh, setFresh] = useState<Incident | null>(null);
  useEffect(() => setFresh(null), [number, clientSlug]);
  const polled = q.data?.securityIncident ?? null;
  const incident = fresh && polled && Date.parse(fresh.updatedAt) > Date.parse(polled.updatedAt) ? fresh : (polled ?? fresh);
  const onIncident = useCallback((i: Incident) => setFresh(i), []);
  useDocumentTitle(incident ? `${incident.reference} ${incident.title}` : 'Security incident');

  const listPath = isStaff && clientSlug ? staffSecurityPath(clientSlug) : '/incidents';
  let content;
  if (number === null || (q.data && !incident)) {
    content = (
      <EmptyState title="Incident not found" action={<Link to={listPath} className="btn btn-secondary btn-sm">Back to security</Link>}>
        There is no such incident here, or you don’t have access to it.
      </EmptyState>
    );
  } else if (q.error && !incident) {
    content = <QueryError title="Couldn’t load this incident" error={q.error} onRetry={q.refetch} retrying={q.loading} />;
  } else if (!incident) {
    content = <DetailSkeleton label="Loading incident" titleWidth={420} />;
  } else {
    content = (
      <>
        <div className="detail-header">
          <div>
            <h1 className="page-title" data-testid="incident-title">
              <span className="ticket-number">{incident.reference}</span> {incident.title}
            </h1>
            <div className="detail-meta">
              <span data-testid="incident-status">
                <IncidentStatusPill status={incident.status} />
              </span>
              <SeverityPill severity={incident.severity} />
              <Badge>{KIND_LABEL[incident.kind]}</Badge>
              <span className="muted">
                opened <time dateTime={incident.createdAt} title={formatDateTime(incident.createdAt)}>{formatRelative(incident.createdAt)}</time>
              </span>
            </div>
          </div>
        </div>
        <div className="detail-grid ticket-grid">
          <div className="detail-main">
            {incident.description && (
              <section className="card" aria-label="Description">
                <div className="incident-description" data-testid="incident-description">
                  {incident.description}
                </div>
              </section>
            )}
            <Card headingId="incident-timeline-heading" title={<>Timeline <span className="count">{incident.timeline.length}</span></>}>
              <IncidentTimeline incident={incident} />
            </Card>
            <NoteBox incident={incident} clientSlug={clientSlug} isStaff={isStaff} onIncident={onIncident} />
          </div>
          <aside className="detail-side">
            {isStaff && clientSlug && <StaffIncidentActions incident={incident} clientSlug={clientSlug} onIncident={onIncident} />}
            <SlaPanel clocks={incident.slaClocks} isStaff={isStaff} problem={incident.slaProblem} />
            <AffectedCard incident={incident} clientSlug={clientSlug} isStaff={isStaff} onIncident={onIncident} />
            <IncidentFacts incident={incident} clientSlug={clientSlug} isStaff={isStaff} />
          </aside>
        </div>
      </>
    );
  }
  return (
    <div className="page">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        {isStaff ? <Link to="/security">Security</Link> : <Link to="/incidents">Security incidents</Link>}
        {isStaff && clientSlug && (
          <>
            <span aria-hidden="true">/</span>
            <Link to={staffSecurityPath(clientSlug)}>{clientSlug}</Link>
          </>
        )}
        <span aria-hidden="true">/</span>
        <span aria-current="page">{incident?.reference ?? `SEC-${params['number'] ?? ''}`}</span>
      </nav>
      {content}
    </div>
  );
}

function IncidentTimeline({ incident }: { incident: Incident }) {
  return (
    <ol className="incident-timeline" data-testid="incident-timeline">
      {incident.timeline.map((entry) => {
        const detail = parseJson<Record<string, unknown>>(entry.detail, {});
        const who = entry.actorName ?? (entry.actorIsStaff ? 'MSP staff' : 'Someone');
        return (
          <li key={entry.id} className={entry.isInternal ? 'is-internal' : undefined} data-kind={entry.kind}>
            <div className="small">
              <span className="strong">{who}</span> {entry.kind === 'note' ? (entry.isInternal ? 'wrote an internal note' : 'wrote') : timelineText(entry.kind, detail)}
              {' · '}
              <time className="muted" dateTime={entry.at} title={formatDateTime(entry.at)}>
                {formatRelative(entry.at)}
              </time>
            </div>
            {entry.body && <div className="note-body">{entry.body}</div>}
          </li>
        );
      })}
    </ol>
  );
}

function NoteBox({ incident, clientSlug, isStaff, onIncident }: { incident: Incident; clientSlug: string | undefined; isStaff: boolean; onIncident: (i: Incident) => void }) {
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(false);
  const action = useSecurityAction<AddSecurityIncidentNoteMutation, AddSecurityIncidentNoteMutationVariables, Incident>(ADD_SECURITY_INCIDENT_NOTE_MUTATION, NO_FIELDS, onIncident);
  async function send() {
    if (!body.trim()) return;
    const result = await action.run({ number: incident.number, ...(clientSlug ? { clientSlug } : {}), body: body.trim(), internal });
    if (result.ok) setBody('');
  }
  return (
    <section className="card reply-box" aria-labelledby="incident-note-heading">
      <div className="pad stack-sm">
        <h2 className="card-title" id="incident-note-heading">
          Add a note
        </h2>
        {action.generalMessages.length > 0 && <Alert title="The note wasn’t saved">{action.generalMessages.join(' ')}</Alert>}
        <label htmlFor="incident-note" className="sr-only">
          Note
        </label>
        <textarea id="incident-note" className="textarea" rows={3} value={body} onChange={(e) => setBody(e.target.value)} placeholder={isStaff ? 'What was done, found or decided…' : 'Add what you know…'} data-testid="incident-note" />
        <div className="row gap-sm">
          {isStaff && (
            <label className="checkbox-row">
              <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} data-testid="incident-note-internal" />
              <span>Internal (only MSP staff see it)</span>
            </label>
          )}
          <Button variant="primary" size="sm" loading={action.loading} disabled={!body.trim()} onClick={() => void send()} data-testid="incident-note-send">
            Add note
          </Button>
        </div>
      </div>
    </section>
  );
}

function StaffIncidentActions({ incident, clientSlug, onIncident }: { incident: Incident; clientSlug: string; onIncident: (i: Incident) => void }) {
  const status = useSecurityAction<ChangeSecurityIncidentStatusMutation, ChangeSecurityIncidentStatusMutationVariables, Incident>(CHANGE_SECURITY_INCIDENT_STATUS_MUTATION, NO_FIELDS, onIncident);
  const severity = useSecurityAction<ChangeSecurityIncidentSeverityMutation, ChangeSecurityIncidentSeverityMutationVariables, Incident>(CHANGE_SECURITY_INCIDENT_SEVERITY_MUTATION, NO_FIELDS, onIncident);
  const assign = useSecurityAction<AssignSecurityIncidentMutation, AssignSecurityIncidentMutationVariables, Incident>(ASSIGN_SECURITY_INCIDENT_MUTATION, NO_FIELDS, onIncident);
  const staff = useQuery<AssignableStaffQuery, AssignableStaffQueryVariables>(ASSIGNABLE_STAFF_QUERY, { clientSlug });
  const [pending, setPending] = useState<{ to: SecurityIncidentStatus; label: string } | null>(null);
  const [note, setNote] = useState('');
  const messages = [...status.generalMessages, ...severity.generalMessages, ...assign.generalMessages];

  async function confirm() {
    if (!pending) return;
    const result = await status.run({ number: incident.number, clientSlug, status: pending.to, ...(note.trim() ? { note: note.trim() } : {}) });
    if (result.ok) {
      setPending(null);
      setNote('');
    }
  }

  return (
    <Card headingId="incident-actions-heading" title="Response" testId="incident-actions">
      <div className="pad stack-sm">
        {messages.length > 0 && <Alert>{messages.join(' ')}</Alert>}
        <div className="security-actions">
          {INCIDENT_TRANSITIONS[incident.status].map((t) => (
            <Button key={t.to} size="sm" variant={t.to === 'ACKNOWLEDGED' && incident.status === 'NEW' ? 'primary' : 'secondary'} onClick={() => setPending(t)} data-testid={`incident-to-${t.to.toLowerCase()}`}>
              {t.label}
            </Button>
          ))}
        </div>
        <SelectField
          label="Severity"
          value={incident.severity}
          onChange={(e) => void severity.run({ number: incident.number, clientSlug, severity: e.target.value as SecuritySeverity })}
          disabled={severity.loading}
          data-testid="incident-severity-select"
        >
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {SEVERITY_LABEL[s]}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Assignee"
          value={incident.assignee?.id ?? ''}
          onChange={(e) => void assign.run({ number: incident.number, clientSlug, ...(e.target.value ? { assigneeId: e.target.value } : {}) })}
          disabled={assign.loading || !staff.data}
          data-testid="incident-assignee-select"
        >
          <option value="">Unassigned</option>
          {incident.assignee && !staff.data?.assignableStaff.some((s) => s.id === incident.assignee?.id) && <option value={incident.assignee.id}>{incident.assignee.fullName}</option>}
          {(staff.data?.assignableStaff ?? []).map((s) => (
            <option key={s.id} value={s.id}>
              {s.fullName || s.email}
            </option>
          ))}
        </SelectField>
      </div>
      {pending && (
        <Modal
          title={`${pending.label}: ${incident.reference}`}
          description="Say what was done; the note goes on the timeline (the client sees it)."
          onClose={() => setPending(null)}
          testId="incident-status-dialog"
          footer={
            <>
              <Button onClick={() => setPending(null)}>Cancel</Button>
              <Button variant="primary" loading={status.loading} onClick={() => void confirm()} data-testid="incident-status-confirm">
                {pending.label}
              </Button>
            </>
          }
        >
          <label htmlFor="incident-status-note" className="field-label">
            Note <span className="field-optional">Optional</span>
          </label>
          <textarea id="incident-status-note" className="textarea" rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
        </Modal>
      )}
    </Card>
  );
}

function AffectedCard({ incident, clientSlug, isStaff, onIncident }: { incident: Incident; clientSlug: string | undefined; isStaff: boolean; onIncident: (i: Incident) => void }) {
  const [editing, setEditing] = useState(false);
  const [people, setPeople] = useState<Named[]>([]);
  const [devices, setDevices] = useState<Named[]>([]);
  const save = useSecurityAction<SetSecurityIncidentAffectedMutation, SetSecurityIncidentAffectedMutationVariables, Incident>(SET_SECURITY_INCIDENT_AFFECTED_MUTATION, NO_FIELDS, onIncident);
  function open() {
    setPeople(incident.affectedUsers.map((u) => ({ id: u.contactId, name: u.fullName })));
    setDevices(incident.affectedDevices.map((d) => ({ id: d.deviceId, name: d.name })));
    setEditing(true);
  }
  async function submit() {
    const result = await save.run({ number: incident.number, ...(clientSlug ? { clientSlug } : {}), contactIds: people.map((p) => p.id), deviceIds: devices.map((d) => d.id) });
    if (result.ok) setEditing(false);
  }
  return (
    <Card
      headingId="incident-affected-heading"
      title="Affected"
      testId="incident-affected"
      aside={isStaff ? <Button size="sm" variant="ghost" onClick={open} data-testid="incident-affected-edit">Edit</Button> : undefined}
    >
      <dl className="facts">
        <dt>People</dt>
        <dd data-testid="incident-affected-people">
          {incident.affectedUsers.length === 0 ? <span className="muted">Nobody named</span> : incident.affectedUsers.map((u) => <div key={u.contactId}>{u.fullName}</div>)}
        </dd>
        <dt>Devices</dt>
        <dd data-testid="incident-affected-devices">
          {incident.affectedDevices.length === 0 ? <span className="muted">None named</span> : incident.affectedDevices.map((d) => <div key={d.deviceId}>{d.name}</div>)}
        </dd>
      </dl>
      {editing && (
        <Modal
          title="Affected people and devices"
          onClose={() => setEditing(false)}
          testId="incident-affected-dialog"
          footer={
            <>
              <Button onClick={() => setEditing(false)}>Cancel</Button>
              <Button variant="primary" loading={save.loading} onClick={() => void submit()} data-testid="incident-affected-save">
                Save
              </Button>
            </>
          }
        >
          {save.generalMessages.length > 0 && <Alert className="mb">{save.generalMessages.join(' ')}</Alert>}
          <AffectedPicker clientSlug={clientSlug} people={people} devices={devices} onPeople={setPeople} onDevices={setDevices} withDevices />
        </Modal>
      )}
    </Card>
  );
}

function IncidentFacts({ incident: i, clientSlug, isStaff }: { incident: Incident; clientSlug: string | undefined; isStaff: boolean }) {
  const moments: [string, string | null][] = [
    ['Opened', i.createdAt],
    ['Acknowledged', i.acknowledgedAt],
    ['Contained', i.containedAt],
    ['Resolved', i.resolvedAt],
    ['Closed', i.closedAt],
  ];
  return (
    <Card headingId="incident-facts-heading" title="Details">
      <dl className="facts">
        <dt>Assignee</dt>
        <dd data-testid="incident-assignee">{i.assignee ? i.assignee.fullName : <span className="muted">Unassigned</span>}</dd>
        {moments
          .filter(([, at]) => !!at)
          .map(([label, at]) => (
            <div key={label} className="facts-pair">
              <dt>{label}</dt>
              <dd>{formatDateTime(at)}</dd>
            </div>
          ))}
        {i.campaigns.length > 0 && (
          <>
            <dt>Phishing reports</dt>
            <dd>
              {i.campaigns.map((c) => (
                <div key={c.id}>
                  {isStaff && clientSlug ? <Link to={staffCampaignPath(clientSlug, c.id)}>{c.subject || '(no subject)'}</Link> : c.subject || '(no subject)'} ({c.reportCount})
                </div>
              ))}
            </dd>
          </>
        )}
      </dl>
    </Card>
  );
}
