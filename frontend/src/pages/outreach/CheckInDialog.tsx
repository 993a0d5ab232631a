import { useState, type FormEvent } from 'react';
import { splitErrors } from '../../auth/authErrors';
import { Alert, Button, Field, Modal, SelectField, TextField } from '../../components/ui';
import type { CheckInKind, LogCheckInMutation, LogCheckInMutationVariables, Sentiment } from '../../graphql/generated';
import { useMutation } from '../../graphql/hooks';
import { LOG_CHECK_IN_MUTATION } from '../../graphql/operations';
import { KIND_LABEL, SENTIMENT_LABEL, todayIso } from './outreach';

const FIELDS = ['subject', 'notes', 'sentiment', 'scheduledFor', 'contactIds', 'inviteContactIds', 'followUps.0.dueOn', 'followUps.0.title'];

type Contact = { id: string; fullName: string; isBusinessCritical: boolean };

/** Log a check-in held (notes, who was there, sentiment, a follow-up) or plan one and invite contacts. */
export function CheckInDialog({
  clientSlug,
  contacts,
  onClose,
  onSaved,
}: {
  clientSlug: string;
  contacts: readonly Contact[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const [planned, setPlanned] = useState(false);
  const [kind, setKind] = useState<CheckInKind>('CALL');
  const [subject, setSubject] = useState('');
  const [notes, setNotes] = useState('');
  const [sentiment, setSentiment] = useState<Sentiment | ''>('');
  const [when, setWhen] = useState('');
  const [present, setPresent] = useState<string[]>([]);
  const [invite, setInvite] = useState(false);
  const [followUp, setFollowUp] = useState('');
  const [followUpDue, setFollowUpDue] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [log, { loading, error }] = useMutation<LogCheckInMutation, LogCheckInMutationVariables>(LOG_CHECK_IN_MUTATION);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!subject.trim()) local['subject'] = 'Give the check-in a subject.';
    if (planned && !when) local['scheduledFor'] = 'Choose when it takes place.';
    if (followUp.trim() && !followUpDue) local['followUps.0.dueOn'] = 'Choose when the follow-up is due.';
    setErrors(local);
    setGeneral([]);
    if (Object.keys(local).length) return;
    const data = await log({
      input: {
        clientSlug,
        kind,
        subject: subject.trim(),
        notes,
        ...(sentiment && !planned ? { sentiment } : {}),
        contactIds: present,
        ...(planned ? { scheduledFor: new Date(when).toISOString() } : {}),
        ...(planned && invite ? { inviteContactIds: present } : {}),
        ...(followUp.trim() ? { followUps: [{ title: followUp.trim(), dueOn: followUpDue }] } : {}),
      },
    });
    if (!data) return;
    if (data.logCheckIn.errors.length) {
      const split = splitErrors(data.logCheckIn.errors, FIELDS);
      setErrors(split.fields);
      setGeneral(split.general);
      return;
    }
    onSaved();
  }

  const problems = [...general, ...(error ? [error.message] : [])];
  return (
    <Modal title={planned ? 'Plan a check-in' : 'Log a check-in'} onClose={onClose} width={620} testId="checkin-dialog">
      <form className="stack" onSubmit={(e) => void onSubmit(e)} noValidate aria-label="Check-in">
        {problems.length > 0 && <Alert>{problems.join(' ')}</Alert>}
        <fieldset className="stack">
          <legend>Held or planned?</legend>
          <label>
            <input type="radio" name="planned" checked={!planned} onChange={() => setPlanned(false)} /> Held already
          </label>
          <label>
            <input type="radio" name="planned" checked={planned} onChange={() => setPlanned(true)} data-testid="checkin-planned" /> Plan
            it
          </label>
        </fieldset>
        <SelectField label="Kind" value={kind} onChange={(e) => setKind(e.target.value as CheckInKind)} data-testid="checkin-kind">
          {(Object.keys(KIND_LABEL) as CheckInKind[]).map((k) => (
            <option key={k} value={k}>
              {KIND_LABEL[k]}
            </option>
          ))}
        </SelectField>
        <TextField label="Subject" value={subject} maxLength={200} onChange={(e) => setSubject(e.target.value)} error={errors['subject']} data-testid="checkin-subject" />
        {planned && (
          <TextField
            label="When"
            type="datetime-local"
            value={when}
            onChange={(e) => setWhen(e.target.value)}
            error={errors['scheduledFor']}
            data-testid="checkin-when"
          />
        )}
        <fieldset className="stack">
          <legend>Contacts {planned ? 'to meet' : 'present'}</legend>
          {contacts.length === 0 && <p className="muted">The client has no contacts yet.</p>}
          {contacts.map((c) => (
            <label key={c.id}>
              <input
                type="checkbox"
                checked={present.includes(c.id)}
                onChange={(e) => setPresent(e.target.checked ? [...present, c.id] : present.filter((id) => id !== c.id))}
              />{' '}
              {c.fullName}
              {c.isBusinessCritical && ' (business-critical)'}
            </label>
          ))}
          {errors['contactIds'] && <p className="field-error">{errors['contactIds']}</p>}
        </fieldset>
        {planned && (kind === 'MEETING' || kind === 'QBR') && (
          <label>
            <input type="checkbox" checked={invite} onChange={(e) => setInvite(e.target.checked)} data-testid="checkin-invite" /> Send the chosen
            contacts a calendar invitation (.ics)
          </label>
        )}
        <Field label="Notes (MSP only, never shown to the client)" optional error={errors['notes']}>
          {({ id, describedBy, invalid }) => (
            <textarea
              id={id}
              className="textarea"
              rows={4}
              value={notes}
              onChange={(e) => setNotes(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              data-testid="checkin-notes"
            />
          )}
        </Field>
        {!planned && (
          <SelectField label="Sentiment" optional value={sentiment} onChange={(e) => setSentiment(e.target.value as Sentiment | '')} data-testid="checkin-sentiment">
            <option value="">Not recorded</option>
            {(Object.keys(SENTIMENT_LABEL) as Sentiment[]).map((s) => (
              <option key={s} value={s}>
                {SENTIMENT_LABEL[s]}
              </option>
            ))}
          </SelectField>
        )}
        <div className="form-grid">
          <TextField label="Follow-up agreed" optional value={followUp} maxLength={200} onChange={(e) => setFollowUp(e.target.value)} error={errors['followUps.0.title']} data-testid="checkin-follow-up" />
          <TextField
            label="Follow-up due"
            optional
            type="date"
            min={todayIso()}
            value={followUpDue}
            onChange={(e) => setFollowUpDue(e.target.value)}
            error={errors['followUps.0.dueOn']}
            data-testid="checkin-follow-up-due"
          />
        </div>
        <div className="form-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" loading={loading} data-testid="checkin-submit">
            {planned ? 'Plan it' : 'Log it'}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
