import { useId, useState, type FormEvent } from 'react';
import { splitErrors } from '../../auth/authErrors';
import { Alert, Button, Field, Modal, TextField } from '../../components/ui';
import type { CreateTicketMutation, CreateTicketMutationVariables, Level, TicketFieldsFragment } from '../../graphql/generated';
import { useMutation } from '../../graphql/hooks';
import { CREATE_TICKET_MUTATION } from '../../graphql/operations';
import { LEVELS, LEVEL_LABEL } from '../../lib/enums';
import { useSubmissionKey } from '../../lib/idempotency';
import { SuggestionPanel, useSuggestions } from '../outreach/SuggestionPanel';

const FIELDS = ['title', 'description', 'impact', 'urgency'] as const;

/** Plain words for the two triage questions (the service desk derives the priority from them). */
export const IMPACT_HELP: Record<Level, string> = {
  LOW: 'Just me, or a minor inconvenience.',
  MEDIUM: 'A team or several people, or an important tool.',
  HIGH: 'The whole company, customers, or a critical system.',
};

export const URGENCY_HELP: Record<Level, string> = {
  LOW: 'It can wait; there is a workaround.',
  MEDIUM: 'It is slowing work down today.',
  HIGH: 'Work has stopped, or it gets worse quickly.',
};

/**
 * The category of improvement work: a request of this category is an improvement agreed with
 * the client once the service desk takes it on (the status page's innovation layer reads it).
 */
export const IMPROVEMENT_CATEGORY = 'Improvement';

/** "This is an improvement idea": marks a new request or ticket as improvement work. */
export function ImprovementToggle({ checked, onChange, testId, who = 'you' }: { checked: boolean; onChange: (checked: boolean) => void; testId: string; who?: string }) {
  const id = useId();
  return (
    <label className="checkbox-row" htmlFor={id}>
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
      <span>
        <span className="strong">An improvement, not a problem</span>
        <span className="block small muted">Something {who} would like changed or added. The service desk agrees it with you before work starts.</span>
      </span>
    </label>
  );
}

/** The title and description inputs of a new ticket, as the client's request form and the staff's ticket form ask them. */
export function TitleAndDescription({
  title,
  onTitle,
  description,
  onDescription,
  errors,
  titlePlaceholder,
  descriptionHint,
  rows,
  testIdPrefix,
}: {
  title: string;
  onTitle: (title: string) => void;
  description: string;
  onDescription: (description: string) => void;
  /** Field errors by field name; `title` and `description` are shown under their inputs. */
  errors: Record<string, string | undefined>;
  titlePlaceholder: string;
  descriptionHint: string;
  rows: number;
  /** The inputs' test ids are `<prefix>-title` and `<prefix>-description`. */
  testIdPrefix: string;
}) {
  return (
    <>
      <TextField
        label="Title"
        value={title}
        maxLength={200}
        onChange={(e) => onTitle(e.target.value)}
        error={errors['title']}
        placeholder={titlePlaceholder}
        autoComplete="off"
        data-testid={`${testIdPrefix}-title`}
      />
      <Field label="Description" optional error={errors['description']} hint={descriptionHint}>
        {({ id, describedBy, invalid }) => (
          <textarea
            id={id}
            className="textarea"
            rows={rows}
            value={description}
            onChange={(e) => onDescription(e.target.value)}
            aria-describedby={describedBy}
            aria-invalid={invalid || undefined}
            data-testid={`${testIdPrefix}-description`}
          />
        )}
      </Field>
    </>
  );
}

export function NewRequestDialog({
  clientSlug,
  followUpOf,
  onClose,
  onCreated,
}: {
  /** Omitted on the client's portal host (the host decides). */
  clientSlug: string | undefined;
  /** An earlier (closed) request the new one follows up: both are linked. */
  followUpOf?: { number: number; title: string };
  onClose: () => void;
  onCreated: (ticket: TicketFieldsFragment) => void;
}) {
  const [title, setTitle] = useState(() => (followUpOf ? `Follow-up: ${followUpOf.title}`.slice(0, 200) : ''));
  const [description, setDescription] = useState('');
  const [impact, setImpact] = useState<Level>('LOW');
  const [urgency, setUrgency] = useState<Level>('MEDIUM');
  const [improvement, setImprovement] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [create, { loading, error }] = useMutation<CreateTicketMutation, CreateTicketMutationVariables>(CREATE_TICKET_MUTATION);
  const submission = useSubmissionKey();
  // Matching broadcasts and how-tos of the MSP; what happens next is counted (deflection).
  const suggestions = useSuggestions(clientSlug, followUpOf ? '' : title);
  const close = () => {
    suggestions.outcome('ABANDONED');
    onClose();
  };

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const fe: Record<string, string> = {};
    if (!title.trim()) fe['title'] = 'Give the request a short title.';
    setErrors(fe);
    setGeneral([]);
    if (Object.keys(fe).length) return;
    const input = {
      ...(clientSlug ? { clientSlug } : {}),
      title: title.trim(),
      ...(description.trim() ? { description: description.trim() } : {}),
      impact,
      urgency,
      ...(improvement ? { category: IMPROVEMENT_CATEGORY } : {}),
      ...(followUpOf ? { relatedTicketNumber: followUpOf.number } : {}),
    };
    // Sent twice (double click, retry after a lost answer), the request is raised once.
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
    suggestions.outcome('SUBMITTED');
    if (p.ticket) onCreated(p.ticket);
  }

  const problems = [...general, ...(error ? [error.message] : [])];
  return (
    <Modal
      title="New request"
      description="Tell the service desk what’s wrong. You can add details and files in replies afterwards."
      onClose={close}
      width={600}
      testId="new-request-dialog"
    >
      <form onSubmit={(e) => void onSubmit(e)} noValidate className="stack" aria-label="New request">
        {followUpOf && (
          <Alert tone="info" title={`Follows up #${followUpOf.number}`}>
            This request will be linked to #{followUpOf.number} “{followUpOf.title}”, so the service desk sees the history.
          </Alert>
        )}
        {problems.length > 0 && <Alert>{problems.join(' ')}</Alert>}
        <TitleAndDescription
          title={title}
          onTitle={setTitle}
          description={description}
          onDescription={setDescription}
          errors={errors}
          titlePlaceholder="e.g. Outlook keeps asking for my password"
          descriptionHint="What happened, since when, and what you already tried."
          rows={5}
          testIdPrefix="request"
        />
        <ImprovementToggle checked={improvement} onChange={setImprovement} testId="request-improvement" />
        <SuggestionPanel
          found={suggestions.found}
          onSolved={(id) => {
            suggestions.outcome('SOLVED', id);
            onClose();
          }}
        />
        <div className="form-grid">
          <LevelChoice
            legend="Who is affected? (impact)"
            name="impact"
            value={impact}
            onChange={setImpact}
            help={IMPACT_HELP}
            error={errors['impact']}
            testId="request-impact"
          />
          <LevelChoice
            legend="How urgent is it? (urgency)"
            name="urgency"
            value={urgency}
            onChange={setUrgency}
            help={URGENCY_HELP}
            error={errors['urgency']}
            testId="request-urgency"
          />
        </div>
        <p className="field-hint">The service desk sets the priority from these two answers and may adjust it after a look.</p>
        <div className="form-actions">
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" variant="primary" loading={loading} data-testid="request-submit">
            Send request
          </Button>
        </div>
      </form>
    </Modal>
  );
}

/** A labelled select with an explanation of every level under it. */
export function LevelChoice({
  legend,
  name,
  value,
  onChange,
  help,
  error,
  testId,
}: {
  legend: string;
  name: string;
  value: Level;
  onChange: (v: Level) => void;
  help: Record<Level, string>;
  error: string | undefined;
  testId: string;
}) {
  return (
    <Field label={legend} error={error} hint={help[value]}>
      {({ id, describedBy, invalid }) => (
        <select
          id={id}
          name={name}
          className="select"
          value={value}
          onChange={(e) => onChange(e.target.value as Level)}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          data-testid={testId}
        >
          {LEVELS.map((l) => (
            <option key={l} value={l} title={help[l]}>
              {LEVEL_LABEL[l]}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
