import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Card } from '../../components/Card';
import { QueryError } from '../../components/QueryError';
import { Alert, Badge, Button, EmptyState, Spinner, TextField } from '../../components/ui';
import type {
  ClientOutreachQuery,
  ClientOutreachQueryVariables,
  RequestQbrMutation,
  RequestQbrMutationVariables,
  SetCheckInCadenceMutation,
  SetCheckInCadenceMutationVariables,
} from '../../graphql/generated';
import { useMutation, useQuery } from '../../graphql/hooks';
import { CLIENT_OUTREACH_QUERY, REQUEST_QBR_MUTATION, SET_CHECK_IN_CADENCE_MUTATION } from '../../graphql/operations';
import { formatDate, formatDateTime } from '../../lib/format';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { CheckInDialog } from './CheckInDialog';
import { FollowUpList } from './FollowUpList';
import { HealthChart, HealthExplanation } from './HealthPanel';
import { KIND_LABEL, SENTIMENT_LABEL, errorText } from './outreach';
import './outreach.css';

/** The account manager's client 360: contacts, tickets, health, check-ins, follow-ups, QBRs. */
export function ClientOutreachPage() {
  const { slug = '' } = useParams();
  const [dialog, setDialog] = useState(false);
  const anyRunning = (reports: { status: string }[] | undefined) => !!reports?.some((r) => r.status === 'QUEUED' || r.status === 'RUNNING');
  const [polling, setPolling] = useState(false);
  const { data, error, loading, refetch } = useQuery<ClientOutreachQuery, ClientOutreachQueryVariables>(
    CLIENT_OUTREACH_QUERY,
    { slug },
    polling ? { pollInterval: 2000 } : {},
  );
  const client = data?.clientOutreach;
  useDocumentTitle(client ? `${client.name} · outreach` : 'Client outreach');
  const running = anyRunning(client?.qbrReports);
  if (polling !== running && data) setPolling(running);

  const [cadence, setCadence] = useState('');
  const [cadenceProblem, setCadenceProblem] = useState('');
  const [saveCadence, cadenceState] = useMutation<SetCheckInCadenceMutation, SetCheckInCadenceMutationVariables>(SET_CHECK_IN_CADENCE_MUTATION);
  const [requestQbr, qbrState] = useMutation<RequestQbrMutation, RequestQbrMutationVariables>(REQUEST_QBR_MUTATION);
  const [qbrProblem, setQbrProblem] = useState('');

  async function onCadence(days: number | null) {
    setCadenceProblem('');
    const result = await saveCadence({ slug, days });
    if (result?.setCheckInCadence.errors.length) setCadenceProblem(errorText(result.setCheckInCadence.errors));
    else void refetch();
  }

  async function onQbr() {
    setQbrProblem('');
    const result = await requestQbr({ slug });
    if (result?.requestQbr.errors.length) setQbrProblem(errorText(result.requestQbr.errors));
    else {
      setPolling(true);
      void refetch();
    }
  }

  if (error || !client) {
    return (
      <div className="page">
        <div className="page-header">
          <h1 className="page-title" data-testid="outreach-page">
            Client outreach
          </h1>
        </div>
        {error && <QueryError title="The client can’t be loaded" error={error} onRetry={() => void refetch()} />}
        {!error && loading && <Spinner label="Loading the client" />}
        {!error && !loading && (
          <EmptyState title="Not in your book">
            This client isn’t one of yours, or doesn’t exist. <Link to="/outreach">Back to the board</Link>
          </EmptyState>
        )}
      </div>
    );
  }
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <p className="small"><Link to="/outreach">Outreach board</Link></p>
          <h1 className="page-title" data-testid="outreach-page">{client.name}</h1>
          <p className="page-subtitle">
            {client.tier.toLowerCase()} · {client.industry.replace('_', ' ')} · account manager {client.accountManager?.fullName ?? 'none'} · check in
            every {client.cadenceDays} days · next due {formatDate(client.nextDueOn)}
            {client.lastCheckInAt && ` · last ${formatDate(client.lastCheckInAt)}`}
          </p>
        </div>
        <Button variant="primary" onClick={() => setDialog(true)} data-testid="log-checkin">
          Log or plan a check-in
        </Button>
      </div>
      <div className="outreach-grid">
        <Card headingId="c360-health" title="Health" testId="c360-health">
          <HealthExplanation health={client.health} />
          <h3>History</h3>
          <HealthChart history={client.healthHistory} />
        </Card>
        <Card headingId="c360-contacts" title={`Contacts (${client.contacts.length})`}>
          <ul className="outreach-list">
            {client.contacts.map((c) => (
              <li key={c.id}>
                <div className="outreach-row-main">
                  {c.fullName} {c.isBusinessCritical && <Badge tone="violet">Business-critical</Badge>}
                  <div className="muted small">
                    {c.jobTitle && `${c.jobTitle} · `}
                    {c.email}
                  </div>
                </div>
              </li>
            ))}
          </ul>
        </Card>
        <Card headingId="c360-tickets" title={`Open tickets (${client.openTickets.length})`} aside={client.breachedOpenTickets > 0 ? <Badge tone="accent">{client.breachedOpenTickets} breached</Badge> : undefined}>
          {client.openTickets.length === 0 ? (
            <p className="muted">No open tickets.</p>
          ) : (
            <ul className="outreach-list">
              {client.openTickets.map((t) => (
                <li key={t.number}>
                  <div className="outreach-row-main">
                    <Link to={`/tickets/${encodeURIComponent(client.slug)}/${t.number}`}>
                      #{t.number} {t.title}
                    </Link>
                    <div className="muted small">
                      {t.priority} · {t.status.replace('_', ' ')} · SLA {t.breachState.replace('_', ' ')}
                      {t.nextDeadlineAt && ` · next deadline ${formatDateTime(t.nextDeadlineAt)}`}
                    </div>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card headingId="c360-services" title="Services and invoices">
          {[
            { key: 'services', heading: 'Services', source: client.services },
            { key: 'invoices', heading: 'Invoices', source: client.invoices },
          ].map(({ key, heading, source }) => (
            <section key={key} aria-label={heading} data-testid={`c360-${key}`}>
              <h3>{heading}</h3>
              <p>{source.summary}</p>
              {source.items.length > 0 && (
                <ul className="outreach-list">
                  {source.items.map((item) => (
                    <li key={item.label}>
                      <div className="outreach-row-main">
                        <strong>{item.label}</strong> <span className="muted">{item.state.replace('_', ' ')}</span>
                        <div className="muted small">{item.detail}</div>
                      </div>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          ))}
        </Card>
        <Card headingId="c360-follow-ups" title={`Open follow-ups (${client.openFollowUps.length})`}>
          <FollowUpList followUps={client.openFollowUps} onChanged={() => void refetch()} />
        </Card>
        <Card headingId="c360-checkins" title={`Check-ins (${client.checkIns.length})`} testId="c360-checkins">
          {client.checkIns.length === 0 ? (
            <p className="muted">No check-ins yet.</p>
          ) : (
            <ul className="outreach-list">
              {client.checkIns.map((c) => (
                <li key={c.id}>
                  <div className="outreach-row-main">
                    <strong>{c.subject}</strong> <Badge>{KIND_LABEL[c.kind]}</Badge> {c.status === 'PLANNED' && <Badge tone="blue">Planned</Badge>}
                    {c.status === 'CANCELLED' && <Badge>Cancelled</Badge>}
                    {c.sentiment && <Badge tone={c.sentiment === 'NEGATIVE' ? 'accent' : c.sentiment === 'POSITIVE' ? 'green' : 'grey'}>{SENTIMENT_LABEL[c.sentiment]}</Badge>}
                    <div className="muted small">
                      {c.heldAt ? `Held ${formatDateTime(c.heldAt)}` : `Planned for ${formatDateTime(c.scheduledFor)}`} · {c.owner.fullName}
                      {c.contacts.length > 0 && ` · with ${c.contacts.map((p) => p.name).join(', ')}`}
                    </div>
                    {c.notes && <p className="small">{c.notes}</p>}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card headingId="c360-cadence" title="Cadence">
          {cadenceProblem && <Alert>{cadenceProblem}</Alert>}
          <p className="small">
            {client.cadenceOverrideDays ? `Your own cadence: every ${client.cadenceOverrideDays} days.` : `The tier’s cadence: every ${client.cadenceDays} days.`}
          </p>
          <form
            className="form-grid"
            onSubmit={(e) => {
              e.preventDefault();
              void onCadence(cadence ? Number(cadence) : null);
            }}
          >
            <TextField label="Check in every (days)" type="number" min={1} max={366} value={cadence} onChange={(e) => setCadence(e.target.value)} data-testid="cadence-days" />
            <div className="form-actions">
              <Button type="submit" loading={cadenceState.loading}>
                Save
              </Button>
              {client.cadenceOverrideDays && <Button onClick={() => void onCadence(null)}>Use the tier’s</Button>}
            </div>
          </form>
        </Card>
        <Card headingId="c360-qbr" title="Quarterly business reviews" testId="c360-qbr">
          {qbrProblem && <Alert>{qbrProblem}</Alert>}
          <Button onClick={() => void onQbr()} loading={qbrState.loading} data-testid="request-qbr">
            Build the last quarter’s pack
          </Button>
          <ul className="outreach-list">
            {client.qbrReports.map((r) => (
              <li key={r.id}>
                <div className="outreach-row-main">
                  {formatDate(r.periodStart)} – {formatDate(r.periodEnd)}
                  <div className="muted small">{r.status === 'READY' ? 'Ready' : `${r.step || r.status.toLowerCase()} (${r.progress} %)`}</div>
                </div>
                {r.downloadUrl && (
                  <a className="btn btn-secondary btn-sm" href={r.downloadUrl} download>
                    Download PDF
                  </a>
                )}
              </li>
            ))}
          </ul>
        </Card>
      </div>
      {dialog && (
        <CheckInDialog
          clientSlug={client.slug}
          contacts={client.contacts}
          onClose={() => setDialog(false)}
          onSaved={() => {
            setDialog(false);
            void refetch();
          }}
        />
      )}
    </div>
  );
}
