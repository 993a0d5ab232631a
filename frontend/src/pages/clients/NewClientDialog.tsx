import { memo, useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { splitErrors } from '../../auth/authErrors';
import { Alert, Button, Field, Modal, SelectField, TextField } from '../../components/ui';
import type {
  ClientTier,
  Industry,
  ProvisionClientInput,
  ProvisionClientMutation,
  ProvisionClientMutationVariables,
  ProvisioningJobQuery,
  ProvisioningJobQueryVariables,
  StaffFieldsFragment,
} from '../../graphql/generated';
import { useMutation, useQuery } from '../../graphql/hooks';
import { PROVISION_CLIENT_MUTATION, PROVISIONING_JOB_QUERY } from '../../graphql/operations';
import { INDUSTRIES, INDUSTRY_LABEL, MSP_ROLE_LABEL, PROVISIONING_STATUS_LABEL, TIERS, TIER_LABEL } from '../../lib/enums';
import { SLUG_MAX_LENGTH, slugProblem, slugProblemWhileTyping, slugify } from '../../lib/slug';

const FIELDS = [
  'name',
  'slug',
  'industry',
  'tier',
  'timezone',
  'itLeadName',
  'itLeadEmail',
  'accountManagerId',
  'requireTwoFactor',
] as const satisfies readonly (keyof ProvisionClientInput)[];

type FormState = {
  name: string;
  slug: string;
  industry: Industry | '';
  tier: ClientTier | '';
  timezone: string;
  itLeadName: string;
  itLeadEmail: string;
  accountManagerId: string;
  requireTwoFactor: boolean;
};

export const POLL_INTERVAL_MS = 500;

function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

function timeZones(): string[] {
  try {
    const zones = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone');
    if (zones && zones.length) return zones.includes('UTC') ? zones : ['UTC', ...zones];
  } catch {
    /* older browsers */
  }
  return ['UTC', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Australia/Sydney'];
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateProvisionForm(f: FormState): Partial<Record<(typeof FIELDS)[number], string>> {
  const e: Partial<Record<(typeof FIELDS)[number], string>> = {};
  if (!f.name.trim()) e.name = 'Enter the client’s name.';
  const sp = slugProblem(f.slug);
  if (sp) e.slug = sp;
  if (!f.industry) e.industry = 'Choose an industry.';
  if (!f.tier) e.tier = 'Choose a tier.';
  if (!f.itLeadName.trim()) e.itLeadName = 'Enter the IT lead’s name.';
  if (!f.itLeadEmail.trim()) e.itLeadEmail = 'Enter the IT lead’s email.';
  else if (!EMAIL_RE.test(f.itLeadEmail.trim())) e.itLeadEmail = 'Enter a valid email address.';
  return e;
}

export function NewClientDialog({
  accountManagers,
  onClose,
  onProvisioned,
}: {
  accountManagers: StaffFieldsFragment[];
  onClose: () => void;
  onProvisioned: () => void;
}) {
  const [jobId, setJobId] = useState<string | null>(null);
  const [form, setForm] = useState<FormState>({
    name: '',
    slug: '',
    industry: '',
    tier: 'STANDARD',
    timezone: browserTimeZone(),
    itLeadName: '',
    itLeadEmail: '',
    accountManagerId: '',
    requireTwoFactor: true,
  });

  return (
    <Modal
      title={jobId ? 'Provisioning client' : 'New client'}
      description={jobId ? undefined : 'Creates the client’s portal, its isolated data space and invites the IT lead.'}
      onClose={onClose}
      width={620}
      testId="new-client-dialog"
    >
      {jobId ? (
        <ProvisioningProgress jobId={jobId} onClose={onClose} onSucceeded={onProvisioned} onBack={() => setJobId(null)} />
      ) : (
        <ProvisionForm form={form} setForm={setForm} accountManagers={accountManagers} onStarted={setJobId} onCancel={onClose} />
      )}
    </Modal>
  );
}

function ProvisionForm({
  form,
  setForm,
  accountManagers,
  onStarted,
  onCancel,
}: {
  form: FormState;
  setForm: (f: FormState | ((f: FormState) => FormState)) => void;
  accountManagers: StaffFieldsFragment[];
  onStarted: (jobId: string) => void;
  onCancel: () => void;
}) {
  const [slugEdited, setSlugEdited] = useState(form.slug !== '' && form.slug !== slugify(form.name));
  // Once the slug field was left, every problem shows (before that, only those typing can't fix by going on).
  const [slugTouched, setSlugTouched] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [provision, { loading, error }] = useMutation<ProvisionClientMutation, ProvisionClientMutationVariables>(
    PROVISION_CLIENT_MUTATION,
  );
  const zones = useMemo(timeZones, []);

  function set<K extends keyof FormState>(key: K, value: FormState[K]) {
    setForm((f) => ({ ...f, [key]: value }));
    if (errors[key]) setErrors((e) => ({ ...e, [key]: undefined }));
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const v = validateProvisionForm(form);
    setErrors(v);
    setGeneral([]);
    if (Object.keys(v).length) {
      focusFirstError();
      return;
    }
    const input: ProvisionClientInput = {
      name: form.name.trim(),
      slug: form.slug,
      industry: form.industry as Industry,
      tier: form.tier as ClientTier,
      timezone: form.timezone || 'UTC',
      itLeadName: form.itLeadName.trim(),
      itLeadEmail: form.itLeadEmail.trim(),
      accountManagerId: form.accountManagerId || null,
      requireTwoFactor: form.requireTwoFactor,
    };
    const data = await provision({ input });
    if (!data) return;
    const p = data.provisionClient;
    if (p.errors.length > 0) {
      const { fields, general: g } = splitErrors(p.errors, FIELDS);
      setErrors(fields);
      setGeneral(g);
      focusFirstError();
      return;
    }
    if (p.job) onStarted(p.job.id);
    else setGeneral(['The server did not start a provisioning job. Try again.']);
  }

  return (
    <form onSubmit={onSubmit} noValidate className="form-grid" aria-label="New client">
      {(general.length > 0 || error) && (
        <Alert className="span-2" title="Couldn’t start provisioning">
          {[...general, ...(error ? [error.message] : [])].join(' ')}
        </Alert>
      )}
      <TextField
        label="Client name"
        value={form.name}
        onChange={(e) => {
          const name = e.target.value;
          setForm((f) => ({ ...f, name, slug: slugEdited ? f.slug : slugify(name) }));
          setErrors((er) => ({ ...er, name: undefined, ...(slugEdited ? {} : { slug: undefined }) }));
        }}
        error={errors['name']}
        placeholder="Acme Dental Group"
        autoComplete="off"
        fieldClassName="span-2"
        data-testid="provision-name"
      />
      <TextField
        label="Slug"
        value={form.slug}
        onChange={(e) => {
          // Shown exactly as typed: problems are explained below the field, never fixed silently.
          const typed = e.target.value;
          // Editing the slug stops auto-derivation; clearing it turns it back on.
          setSlugEdited(typed !== '');
          set('slug', typed);
        }}
        onBlur={() => setSlugTouched(true)}
        error={errors['slug'] ?? (slugTouched ? form.slug && slugProblem(form.slug) : slugProblemWhileTyping(form.slug))}
        hint="Part of the client’s portal address. 3–40 lowercase letters, digits and hyphens, starting with a letter."
        maxLength={SLUG_MAX_LENGTH}
        spellCheck={false}
        autoCapitalize="none"
        autoComplete="off"
        className="mono"
        fieldClassName="span-2"
        data-testid="provision-slug"
      />
      <SelectField
        label="Industry"
        value={form.industry}
        onChange={(e) => set('industry', e.target.value as Industry | '')}
        error={errors['industry']}
        data-testid="provision-industry"
      >
        <option value="">Choose…</option>
        {INDUSTRIES.map((i) => (
          <option key={i} value={i}>
            {INDUSTRY_LABEL[i]}
          </option>
        ))}
      </SelectField>
      <SelectField
        label="Tier"
        value={form.tier}
        onChange={(e) => set('tier', e.target.value as ClientTier | '')}
        error={errors['tier']}
        data-testid="provision-tier"
      >
        {TIERS.map((t) => (
          <option key={t} value={t}>
            {TIER_LABEL[t]}
          </option>
        ))}
      </SelectField>
      <SelectField
        label="Time zone"
        value={form.timezone}
        onChange={(e) => set('timezone', e.target.value)}
        error={errors['timezone']}
        data-testid="provision-timezone"
      >
        <TimeZoneOptions zones={zones} current={form.timezone} />
      </SelectField>
      <SelectField
        label="Account manager"
        optional
        value={form.accountManagerId}
        onChange={(e) => set('accountManagerId', e.target.value)}
        error={errors['accountManagerId']}
        data-testid="provision-account-manager"
      >
        <option value="">Unassigned</option>
        {accountManagers.map((m) => (
          <option key={m.id} value={m.id}>
            {m.fullName} · {MSP_ROLE_LABEL[m.mspRole]}
          </option>
        ))}
      </SelectField>
      <fieldset className="fieldset span-2">
        <legend>Client IT lead</legend>
        <p className="field-hint">They’ll get an email invitation to set up their account.</p>
        <div className="form-grid nested">
          <TextField
            label="Full name"
            value={form.itLeadName}
            onChange={(e) => set('itLeadName', e.target.value)}
            error={errors['itLeadName']}
            autoComplete="off"
            data-testid="provision-it-lead-name"
          />
          <TextField
            label="Email"
            type="email"
            value={form.itLeadEmail}
            onChange={(e) => set('itLeadEmail', e.target.value)}
            error={errors['itLeadEmail']}
            autoComplete="off"
            data-testid="provision-it-lead-email"
          />
        </div>
      </fieldset>
      <Field label="Security" className="span-2" error={errors['requireTwoFactor']}>
        {({ id, describedBy }) => (
          <label className="checkbox-row" htmlFor={id}>
            <input
              id={id}
              type="checkbox"
              checked={form.requireTwoFactor}
              onChange={(e) => set('requireTwoFactor', e.target.checked)}
              aria-describedby={describedBy}
              data-testid="provision-require-2fa"
            />
            <span>
              Require two-factor authentication for everyone at this client
              <span className="field-hint block">Recommended. Users set it up the first time they sign in.</span>
            </span>
          </label>
        )}
      </Field>
      <div className="form-actions span-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" loading={loading} data-testid="provision-submit">
          Provision client
        </Button>
      </div>
    </form>
  );
}

/**
 * The ~400 time-zone options, memoised: without it every keystroke in the name field re-rendered
 * all of them, which made typing slow enough on a busy machine for keystrokes to pile up.
 */
const TimeZoneOptions = memo(function TimeZoneOptions({ zones, current }: { zones: string[]; current: string }) {
  return (
    <>
      {!zones.includes(current) && <option value={current}>{current}</option>}
      {zones.map((z) => (
        <option key={z} value={z}>
          {z.replace(/_/g, ' ')}
        </option>
      ))}
    </>
  );
});

function focusFirstError() {
  // After React renders the errors.
  window.setTimeout(() => {
    document.querySelector<HTMLElement>('.modal [aria-invalid="true"]')?.focus();
  }, 0);
}

function ProvisioningProgress({
  jobId,
  onClose,
  onSucceeded,
  onBack,
}: {
  jobId: string;
  onClose: () => void;
  onSucceeded: () => void;
  onBack: () => void;
}) {
  const [finished, setFinished] = useState(false);
  const { data, error } = useQuery<ProvisioningJobQuery, ProvisioningJobQueryVariables>(
    PROVISIONING_JOB_QUERY,
    { id: jobId },
    { pollInterval: finished ? undefined : POLL_INTERVAL_MS },
  );
  const job = data?.provisioningJob;
  const status = job?.status;

  useEffect(() => {
    if (status === 'SUCCEEDED' || status === 'FAILED') setFinished(true);
    if (status === 'SUCCEEDED') onSucceeded();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [status]);

  const total = Math.max(job?.totalSteps ?? 0, 1);
  const step = Math.min(job?.step ?? 0, total);
  const pct = status === 'SUCCEEDED' ? 100 : Math.round((step / total) * 100);

  return (
    <div className="stack" data-testid="provision-progress" data-status={status ?? 'PENDING'}>
      <div className="progress-head">
        <span className="strong">{job ? job.slug : 'Starting…'}</span>
        <span className="muted">
          {status ? PROVISIONING_STATUS_LABEL[status] : 'Queued'}
          {job && status !== 'SUCCEEDED' ? ` · step ${step} of ${job.totalSteps}` : ''}
        </span>
      </div>
      <div
        className={`progress ${status === 'FAILED' ? 'is-failed' : status === 'SUCCEEDED' ? 'is-done' : ''}`}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={step}
        aria-valuetext={job?.message || undefined}
        aria-label="Provisioning progress"
      >
        <div className="progress-bar" style={{ width: `${pct}%` }} />
      </div>
      {/* Once the job succeeded the success alert says so; the job's last message ("Client ready") would repeat it. */}
      {status !== 'SUCCEEDED' && (
        <p className="muted" aria-live="polite" data-testid="provision-message">
          {job?.message || 'Waiting for the job to start…'}
        </p>
      )}

      {error && !job && <Alert title="Can’t read the job status">{error.message} Still retrying…</Alert>}
      {data && !job && <Alert title="Job not found">The provisioning job could not be found.</Alert>}

      {status === 'FAILED' && (
        <Alert title="Provisioning failed">
          <span data-testid="provision-error">{job?.error || 'The job failed without an error message.'}</span>
        </Alert>
      )}
      {status === 'SUCCEEDED' && (
        <Alert tone="success" title="Client ready">
          {job?.client?.name ?? job?.slug} has been provisioned and the IT lead invited.
        </Alert>
      )}

      <div className="form-actions">
        {status === 'FAILED' && <Button onClick={onBack}>Back to the form</Button>}
        {status === 'SUCCEEDED' ? (
          <>
            <Button onClick={onClose}>Close</Button>
            <Link className="btn btn-primary" to={`/clients/${job?.client?.slug ?? job?.slug}`} data-testid="provision-open-client">
              Open client
            </Link>
          </>
        ) : (
          <Button onClick={onClose}>{status === 'FAILED' ? 'Close' : 'Run in background'}</Button>
        )}
      </div>
    </div>
  );
}
