import clsx from 'clsx';
import { useId, useState, type FormEvent } from 'react';
import { splitErrors } from '../../auth/authErrors';
import { Alert, Badge, Button, Field, Modal, SelectField, Spinner } from '../../components/ui';
import type {
  Channel,
  ContactsQuery,
  ContactsQueryVariables,
  CreateTicketMutation,
  CreateTicketMutationVariables,
  Level,
  ServiceLine,
  TicketFieldsFragment,
} from '../../graphql/generated';
import { useMutation, useQuery } from '../../graphql/hooks';
import { CONTACTS_QUERY, CREATE_TICKET_MUTATION } from '../../graphql/operations';
import { CHANNEL_LABEL, SERVICE_LINES, SERVICE_LINE_LABEL } from '../../lib/enums';
import { useSubmissionKey } from '../../lib/idempotency';
import { useDebouncedValue } from '../../lib/useDebounced';
import { IMPACT_HELP, IMPROVEMENT_CATEGORY, ImprovementToggle, LevelChoice, TitleAndDescription, URGENCY_HELP } from '../requests/NewRequestDialog';
import './tickets.css';

export type Contact = ContactsQuery['contacts'][number];

const FIELDS = ['clientSlug', 'requesterId', 'title', 'description', 'impact', 'urgency', 'channel', 'serviceLine'] as const;

/** How staff usually hear about a problem (the server's default for staff is a phone call). */
const STAFF_CHANNELS: readonly Channel[] = ['PHONE', 'EMAIL', 'PORTAL', 'MONITORING'];

/**
 * Staff raise a ticket for a client on behalf of one of its contacts.
 * `clientSlug` fixes the client (client page); otherwise `clients` offers a picker (queue).
 */
export function NewTicketDialog({
  clientSlug: fixedClient,
  clientName,
  clients = [],
  defaultClientSlug,
  onClose,
  onCreated,
}: {
  clientSlug?: string;
  clientName?: string;
  /** [slug, name] pairs for the client picker when no client is fixed. */
  clients?: readonly (readonly [string, string])[];
  defaultClientSlug?: string;
  onClose: () => void;
  onCreated: (ticket: TicketFieldsFragment, clientSlug: string) => void;
}) {
  const [pickedClient, setPickedClient] = useState(defaultClientSlug ?? '');
  const clientSlug = fixedClient ?? pickedClient;
  const [requester, setRequester] = useState<Contact | null>(null);
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [impact, setImpact] = useState<Level>('LOW');
  const [urgency, setUrgency] = useState<Level>('MEDIUM');
  const [channel, setChannel] = useState<Channel>('PHONE');
  const [serviceLine, setServiceLine] = useState<ServiceLine>('SUPPORT');
  const [improvement, setImprovement] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [create, { loading, error }] = useMutation<CreateTicketMutation, CreateTicketMutationVariables>(CREATE_TICKET_MUTATION);
  const submission = useSubmissionKey();

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const fe: Record<string, string> = {};
    if (!clientSlug) fe['clientSlug'] = 'Choose the client.';
    if (!requester) fe['requesterId'] = 'Choose who is asking.';
    if (!title.trim()) fe['title'] = 'Give the ticket a short title.';
    setErrors(fe);
    setGeneral([]);
    if (Object.keys(fe).length || !requester) return;
    const input = {
      clientSlug,
      requesterId: requester.id,
      title: title.trim(),
      ...(description.trim() ? { description: description.trim() } : {}),
      impact,
      urgency,
      channel,
      serviceLine,
      ...(improvement ? { category: IMPROVEMENT_CATEGORY } : {}),
    };
    // Sent twice (double click, retry after a lost answer), the ticket is raised once.
    const data = await create({ input: { ...input, idempotencyKey: submission.keyFor(input) } });
    if (!data) return;
    const p = data.createTicket;
    if (p.errors.length > 0) {
      const split = splitErrors(p.errors, FIELDS);
      setErrors(split.fields);
      setGeneral(split.general);
      return;
    }
    submission.done();
    if (p.ticket) onCreated(p.ticket, clientSlug);
  }

  const problems = [...general, ...(error ? [error.message] : [])];
  return (
    <Modal
      title="New ticket"
      description={fixedClient ? `Raise a ticket for ${clientName ?? fixedClient} on behalf of one of its contacts.` : 'Raise a ticket for a client on behalf of one of its contacts.'}
      onClose={onClose}
      width={640}
      testId="new-ticket-dialog"
    >
      <form onSubmit={(e) => void onSubmit(e)} noValidate className="stack" aria-label="New ticket">
        {problems.length > 0 && <Alert>{problems.join(' ')}</Alert>}
        {!fixedClient && (
          <SelectField
            label="Client"
            value={pickedClient}
            onChange={(e) => {
              setPickedClient(e.target.value);
              setRequester(null);
            }}
            error={errors['clientSlug']}
            data-testid="new-ticket-client"
          >
            <option value="">Choose a client…</option>
            {clients.map(([slug, name]) => (
              <option key={slug} value={slug}>
                {name}
              </option>
            ))}
          </SelectField>
        )}
        <RequesterPicker key={clientSlug} clientSlug={clientSlug || undefined} value={requester} onChange={setRequester} error={errors['requesterId']} />
        <TitleAndDescription
          title={title}
          onTitle={setTitle}
          description={description}
          onDescription={setDescription}
          errors={errors}
          titlePlaceholder="e.g. Printer on the 2nd floor is offline"
          descriptionHint="What the requester told you, and what you already know."
          rows={4}
          testIdPrefix="new-ticket"
        />
        <ImprovementToggle checked={improvement} onChange={setImprovement} testId="new-ticket-improvement" who="the client" />
        <div className="form-grid">
          <LevelChoice legend="Impact" name="impact" value={impact} onChange={setImpact} help={IMPACT_HELP} error={errors['impact']} testId="new-ticket-impact" />
          <LevelChoice legend="Urgency" name="urgency" value={urgency} onChange={setUrgency} help={URGENCY_HELP} error={errors['urgency']} testId="new-ticket-urgency" />
          <SelectField label="Received by" value={channel} onChange={(e) => setChannel(e.target.value as Channel)} error={errors['channel']} data-testid="new-ticket-channel">
            {STAFF_CHANNELS.map((c) => (
              <option key={c} value={c}>
                {CHANNEL_LABEL[c]}
              </option>
            ))}
          </SelectField>
          <SelectField
            label="Service line"
            value={serviceLine}
            onChange={(e) => setServiceLine(e.target.value as ServiceLine)}
            error={errors['serviceLine']}
            data-testid="new-ticket-service-line"
          >
            {SERVICE_LINES.map((s) => (
              <option key={s} value={s}>
                {SERVICE_LINE_LABEL[s]}
              </option>
            ))}
          </SelectField>
        </div>
        <p className="field-hint">
          The priority follows the triage matrix from impact and urgency
          {requester?.isBusinessCritical ? '; this requester is business-critical, so the urgency counts one level higher' : ''}.
        </p>
        <div className="form-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" loading={loading} data-testid="new-ticket-submit">
            Create ticket
          </Button>
        </div>
      </form>
    </Modal>
  );
}

/** Search the client's contacts and pick one (radio list; the server returns at most 200). */
function RequesterPicker({
  clientSlug,
  value,
  onChange,
  error,
}: {
  clientSlug: string | undefined;
  value: Contact | null;
  onChange: (c: Contact | null) => void;
  error: string | undefined;
}) {
  const [search, setSearch] = useState('');
  const debounced = useDebouncedValue(search.trim(), 250);
  const vars: ContactsQueryVariables = clientSlug ? { clientSlug, ...(debounced ? { search: debounced } : {}) } : {};
  const q = useQuery<ContactsQuery, ContactsQueryVariables>(CONTACTS_QUERY, vars, { skip: !clientSlug || !!value });
  const name = useId();
  const contacts = q.data?.contacts ?? [];

  if (value) {
    return (
      <Field label="Requester" error={error}>
        {({ id }) => (
          <div className="requester-chosen" id={id} data-testid="requester-chosen">
            <ContactLine contact={value} />
            <button type="button" className="link-btn small" onClick={() => onChange(null)} data-testid="requester-change">
              Change
            </button>
          </div>
        )}
      </Field>
    );
  }

  return (
    <Field label="Requester" error={error} hint={clientSlug ? 'The client’s contact who is asking.' : 'Choose the client first.'}>
      {({ id, describedBy, invalid }) => (
        <div className="requester-picker">
          <input
            id={id}
            type="search"
            className="input"
            placeholder="Search by name or email"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            disabled={!clientSlug}
            aria-describedby={describedBy}
            aria-invalid={invalid || undefined}
            autoComplete="off"
            data-testid="requester-search"
          />
          {clientSlug && (
            <div className={clsx('requester-options', q.loading && 'is-refreshing')} role="radiogroup" aria-label="Contacts" aria-busy={q.loading} data-testid="requester-options">
              {q.error ? (
                <p className="small field-error requester-note">{q.error.message}</p>
              ) : !q.data ? (
                <p className="small muted requester-note">
                  <Spinner size={12} /> Loading contacts…
                </p>
              ) : contacts.length === 0 ? (
                <p className="small muted requester-note">{debounced ? `No contact matches “${debounced}”.` : 'This client has no active contacts yet.'}</p>
              ) : (
                contacts.map((c) => (
                  <label key={c.id} className="requester-option" data-testid={`requester-option-${c.id}`}>
                    <input type="radio" name={name} value={c.id} onChange={() => onChange(c)} />
                    <ContactLine contact={c} />
                  </label>
                ))
              )}
            </div>
          )}
        </div>
      )}
    </Field>
  );
}

function ContactLine({ contact: c }: { contact: Contact }) {
  return (
    <span className="contact-line">
      <span className="contact-name">
        <span className="strong">{c.fullName || c.email}</span>
        {c.isBusinessCritical && <Badge tone="amber">Business-critical</Badge>}
      </span>
      <span className="small muted">
        {c.email}
        {c.jobTitle && <> · {c.jobTitle}</>}
      </span>
    </span>
  );
}
