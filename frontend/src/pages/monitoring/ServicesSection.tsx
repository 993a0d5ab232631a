import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { splitErrors } from '../../auth/authErrors';
import { Alert, Badge, Button, CopyButton, EmptyState, Modal, SelectField, Skeleton, TextField } from '../../components/ui';
import { QueryError } from '../../components/QueryError';
import type {
  CancelMaintenanceMutation,
  CancelMaintenanceMutationVariables,
  ClientServiceFieldsFragment,
  ClientServicesQuery,
  ClientServicesQueryVariables,
  CreateClientServiceMutation,
  CreateClientServiceMutationVariables,
  CreateMonitorMutation,
  CreateMonitorMutationVariables,
  DeleteMonitorMutation,
  DeleteMonitorMutationVariables,
  Level,
  MaintenanceWindowFieldsFragment,
  MonitorFieldsFragment,
  MonitorKind,
  ScheduleMaintenanceMutation,
  ScheduleMaintenanceMutationVariables,
  ServiceCategory,
  SetMonitorPausedMutation,
  SetMonitorPausedMutationVariables,
  UpdateClientServiceMutation,
  UpdateClientServiceMutationVariables,
  UpdateMonitorMutation,
  UpdateMonitorMutationVariables,
} from '../../graphql/generated';
import { useMutation, useQuery } from '../../graphql/hooks';
import {
  CANCEL_MAINTENANCE_MUTATION,
  CLIENT_SERVICES_QUERY,
  CREATE_CLIENT_SERVICE_MUTATION,
  CREATE_MONITOR_MUTATION,
  DELETE_MONITOR_MUTATION,
  SCHEDULE_MAINTENANCE_MUTATION,
  SET_MONITOR_PAUSED_MUTATION,
  UPDATE_CLIENT_SERVICE_MUTATION,
  UPDATE_MONITOR_MUTATION,
} from '../../graphql/operations';
import { LEVELS, LEVEL_LABEL } from '../../lib/enums';
import { formatDateTime, formatRelative } from '../../lib/format';
import { ticketPath } from '../../lib/tickets';
import {
  MONITOR_KINDS,
  MONITOR_KIND_LABEL,
  SERVICE_CATEGORIES,
  SERVICE_CATEGORY_LABEL,
  describeMonitor,
  localToIso,
  parseWhole,
} from './monitoring';
import { StatePill } from './StatePill';
import './monitoring.css';

/** How often the section refreshes itself (live states come from the checks). */
export const SERVICES_POLL_MS = 30_000;

type Dialog =
  | { kind: 'service'; service?: ClientServiceFieldsFragment }
  | { kind: 'monitor'; service: ClientServiceFieldsFragment; monitor?: MonitorFieldsFragment }
  | { kind: 'maintenance'; service: ClientServiceFieldsFragment };

/** Staff, on a client's page: the services the MSP runs for it, their monitors and maintenance. */
export function ServicesSection({ clientSlug, canManage }: { clientSlug: string; canManage: boolean }) {
  const q = useQuery<ClientServicesQuery, ClientServicesQueryVariables>(CLIENT_SERVICES_QUERY, { clientSlug }, { pollInterval: SERVICES_POLL_MS });
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [setPaused] = useMutation<SetMonitorPausedMutation, SetMonitorPausedMutationVariables>(SET_MONITOR_PAUSED_MUTATION);
  const [remove] = useMutation<DeleteMonitorMutation, DeleteMonitorMutationVariables>(DELETE_MONITOR_MUTATION);
  const [cancel] = useMutation<CancelMaintenanceMutation, CancelMaintenanceMutationVariables>(CANCEL_MAINTENANCE_MUTATION);

  async function run(promise: Promise<{ errors: readonly { message: string }[] } | undefined>) {
    const payload = await promise;
    setProblem(!payload ? 'The change could not be sent; try again.' : payload.errors.length ? payload.errors.map((e) => e.message).join(' ') : null);
    void q.refetch();
  }

  const services = q.data?.clientServices ?? [];
  const windows = q.data?.maintenanceWindows ?? [];
  const close = () => setDialog(null);
  const saved = () => {
    setDialog(null);
    void q.refetch();
  };

  return (
    <section className="card" aria-labelledby="services-heading" data-testid="services-section">
      <div className="card-header">
        <h2 className="card-title" id="services-heading">
          Services &amp; monitors {q.data && <span className="count">{services.length}</span>}
        </h2>
        {canManage && (
          <Button size="sm" variant="primary" onClick={() => setDialog({ kind: 'service' })} data-testid="add-service">
            Add service
          </Button>
        )}
      </div>
      {problem && (
        <div className="pad">
          <Alert>{problem}</Alert>
        </div>
      )}
      {q.error && !q.data ? (
        <div className="pad">
          <QueryError title="Couldn’t load services" error={q.error} onRetry={q.refetch} retrying={q.loading} />
        </div>
      ) : !q.data ? (
        <div className="pad stack-sm" aria-busy="true">
          <Skeleton height={40} />
          <Skeleton height={40} />
        </div>
      ) : services.length === 0 ? (
        <div className="pad">
          <EmptyState title="No services yet">Add the services the MSP runs for this client (mail, VPN, internet, website…) and how each is monitored.</EmptyState>
        </div>
      ) : (
        <ul className="service-list">
          {services.map((s) => (
            <li key={s.id} className="service-item" data-testid="service-item">
              <div className="service-head">
                <div>
                  <h3 className="service-name">{s.name}</h3>
                  <div className="small muted">
                    {SERVICE_CATEGORY_LABEL[s.category]} · promised {s.promisedAvailability}% a month
                    {s.resolveTicketOnRecovery ? ' · recovery resolves the ticket' : ''}
                  </div>
                </div>
                <div className="row gap-sm service-badges">
                  {s.isBusinessCritical && <Badge tone="violet">Business-critical</Badge>}
                  <StatePill state={s.state} testId="service-state" />
                </div>
              </div>
              {s.openOutages.length > 0 && (
                <p className="small service-outages">
                  Down since {formatDateTime(s.openOutages[0]!.startedAt)}
                  {s.openOutages
                    .filter((o) => o.ticketNumber !== null && o.ticketNumber !== undefined)
                    .map((o) => (
                      <span key={o.id}>
                        {' · '}
                        <Link to={ticketPath(clientSlug, o.ticketNumber!)}>ticket #{o.ticketNumber}</Link>
                      </span>
                    ))}
                </p>
              )}
              {s.monitors.length > 0 ? (
                <div className="table-wrap flat">
                  <table className="table monitor-table">
                    <caption className="sr-only">Monitors of {s.name}</caption>
                    <thead>
                      <tr>
                        <th scope="col">Monitor</th>
                        <th scope="col">State</th>
                        <th scope="col">Last result</th>
                        {canManage && <th scope="col"><span className="sr-only">Actions</span></th>}
                      </tr>
                    </thead>
                    <tbody>
                      {s.monitors.map((m) => (
                        <tr key={m.id} data-testid="monitor-row">
                          <td>
                            <div className="strong">{m.name}</div>
                            <div className="small muted">
                              {MONITOR_KIND_LABEL[m.kind]} · {describeMonitor(m)} · key <span className="mono">{m.key}</span>
                            </div>
                            {m.pingUrl && (
                              <div className="small row gap-sm">
                                <span className="mono ping-url">{m.pingUrl}</span>
                                <CopyButton text={m.pingUrl} label="Copy ping URL" />
                              </div>
                            )}
                          </td>
                          <td>
                            <StatePill state={m.state} />
                            <div className="small muted">since {formatRelative(m.stateSince)}</div>
                          </td>
                          <td className="small">
                            {m.lastResultAt ? (
                              <>
                                <div>{m.lastMessage || '—'}</div>
                                <div className="muted">
                                  {formatRelative(m.lastResultAt)}
                                  {m.lastLatencyMs !== null && m.lastLatencyMs !== undefined ? ` · ${m.lastLatencyMs} ms` : ''}
                                </div>
                              </>
                            ) : (
                              <span className="muted">No result yet</span>
                            )}
                          </td>
                          {canManage && (
                            <td className="monitor-actions">
                              <Button size="sm" variant="ghost" onClick={() => setDialog({ kind: 'monitor', service: s, monitor: m })} aria-label={`Edit ${m.name}`}>
                                Edit
                              </Button>
                              <Button
                                size="sm"
                                variant="ghost"
                                onClick={() => void run(setPaused({ clientSlug, id: m.id, paused: !m.isPaused }).then((d) => d?.setMonitorPaused))}
                                aria-label={`${m.isPaused ? 'Resume' : 'Pause'} ${m.name}`}
                                data-testid="toggle-pause"
                              >
                                {m.isPaused ? 'Resume' : 'Pause'}
                              </Button>
                              <Button
                                size="sm"
                                variant="ghost"
                                onClick={() => {
                                  if (window.confirm(`Remove the monitor “${m.name}” and its history? Tickets it raised stay.`)) {
                                    void run(remove({ clientSlug, id: m.id }).then((d) => d?.deleteMonitor));
                                  }
                                }}
                                aria-label={`Remove ${m.name}`}
                              >
                                Remove
                              </Button>
                            </td>
                          )}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : (
                <p className="small muted">No monitor yet: the service shows as “not checked yet”.</p>
              )}
              <MaintenanceList windows={windows.filter((w) => w.serviceId === s.id)} canManage={canManage} onCancel={(w) => void run(cancel({ clientSlug, id: w.id }).then((d) => d?.cancelMaintenance))} />
              {canManage && (
                <div className="row gap-sm service-actions">
                  <Button size="sm" onClick={() => setDialog({ kind: 'monitor', service: s })} disabled={s.monitors.length >= 10} data-testid="add-monitor">
                    Add monitor
                  </Button>
                  <Button size="sm" onClick={() => setDialog({ kind: 'maintenance', service: s })} data-testid="plan-maintenance">
                    Plan maintenance
                  </Button>
                  <Button size="sm" variant="ghost" onClick={() => setDialog({ kind: 'service', service: s })}>
                    Edit service
                  </Button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {dialog?.kind === 'service' && <ServiceDialog clientSlug={clientSlug} service={dialog.service} onClose={close} onSaved={saved} />}
      {dialog?.kind === 'monitor' && <MonitorDialog clientSlug={clientSlug} service={dialog.service} monitor={dialog.monitor} onClose={close} onSaved={saved} />}
      {dialog?.kind === 'maintenance' && <MaintenanceDialog clientSlug={clientSlug} service={dialog.service} onClose={close} onSaved={saved} />}
    </section>
  );
}

function MaintenanceList({ windows, canManage, onCancel }: { windows: readonly MaintenanceWindowFieldsFragment[]; canManage: boolean; onCancel: (w: MaintenanceWindowFieldsFragment) => void }) {
  const now = Date.now();
  const coming = windows.filter((w) => new Date(w.endsAt).getTime() > now);
  if (coming.length === 0) return null;
  return (
    <ul className="maintenance-list small">
      {coming.map((w) => (
        <li key={w.id}>
          <Badge tone="blue">Maintenance</Badge> {formatDateTime(w.startsAt)} – {formatDateTime(w.endsAt)}: {w.reason}
          {canManage && (
            <Button size="sm" variant="ghost" onClick={() => onCancel(w)} aria-label={`Cancel maintenance: ${w.reason}`}>
              {new Date(w.startsAt).getTime() > now ? 'Cancel' : 'End now'}
            </Button>
          )}
        </li>
      ))}
    </ul>
  );
}

const SERVICE_FIELDS = ['name', 'category', 'description', 'promisedAvailability'] as const;

function ServiceDialog({ clientSlug, service, onClose, onSaved }: { clientSlug: string; service?: ClientServiceFieldsFragment; onClose: () => void; onSaved: () => void }) {
  const [name, setName] = useState(service?.name ?? '');
  const [category, setCategory] = useState<ServiceCategory>(service?.category ?? 'OTHER');
  const [description, setDescription] = useState(service?.description ?? '');
  const [promise, setPromise] = useState(String(service?.promisedAvailability ?? '99.9'));
  const [critical, setCritical] = useState(service?.isBusinessCritical ?? false);
  const [resolve, setResolve] = useState(service?.resolveTicketOnRecovery ?? true);
  const [archived, setArchived] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [create, createState] = useMutation<CreateClientServiceMutation, CreateClientServiceMutationVariables>(CREATE_CLIENT_SERVICE_MUTATION);
  const [update, updateState] = useMutation<UpdateClientServiceMutation, UpdateClientServiceMutationVariables>(UPDATE_CLIENT_SERVICE_MUTATION);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const promised = Number(promise);
    if (!name.trim() || !Number.isFinite(promised)) {
      setErrors({ ...(!name.trim() ? { name: 'Name the service.' } : {}), ...(!Number.isFinite(promised) ? { promisedAvailability: 'A percentage, e.g. 99.9.' } : {}) });
      return;
    }
    const input = { name: name.trim(), category, description: description.trim(), promisedAvailability: promised, isBusinessCritical: critical, resolveTicketOnRecovery: resolve, isActive: !archived };
    const payload = service ? (await update({ clientSlug, id: service.id, input }))?.updateClientService : (await create({ clientSlug, input }))?.createClientService;
    if (!payload) return;
    if (payload.errors.length) {
      const split = splitErrors(payload.errors, SERVICE_FIELDS);
      setErrors(split.fields);
      setGeneral(split.general);
      return;
    }
    onSaved();
  }

  const requestError = createState.error ?? updateState.error;
  const problems = [...general, ...(requestError ? [requestError.message] : [])];
  return (
    <Modal title={service ? `Edit ${service.name}` : 'Add a service'} onClose={onClose} testId="service-dialog">
      <form onSubmit={(e) => void onSubmit(e)} noValidate className="stack" aria-label="Service">
        {problems.length > 0 && <Alert>{problems.join(' ')}</Alert>}
        <TextField label="Name" value={name} maxLength={120} onChange={(e) => setName(e.target.value)} error={errors['name']} placeholder="e.g. Microsoft 365 mail" />
        <SelectField label="Category" value={category} onChange={(e) => setCategory(e.target.value as ServiceCategory)} error={errors['category']} hint="Connectivity and collaboration feed the status page’s remote-work hierarchy.">
          {SERVICE_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {SERVICE_CATEGORY_LABEL[c]}
            </option>
          ))}
        </SelectField>
        <TextField label="Description" optional value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} error={errors['description']} />
        <TextField label="Promised availability (% a month)" inputMode="decimal" value={promise} onChange={(e) => setPromise(e.target.value)} error={errors['promisedAvailability']} />
        <label className="checkbox-row">
          <input type="checkbox" checked={critical} onChange={(e) => setCritical(e.target.checked)} /> Business-critical (an outage is a high-impact incident)
        </label>
        <label className="checkbox-row">
          <input type="checkbox" checked={resolve} onChange={(e) => setResolve(e.target.checked)} /> Recovery resolves the incident ticket
        </label>
        {service && (
          <label className="checkbox-row">
            <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.target.checked)} /> Archive the service (its monitors stop)
          </label>
        )}
        <div className="row gap-sm">
          <Button type="submit" variant="primary" loading={createState.loading || updateState.loading}>
            Save
          </Button>
          <Button onClick={onClose}>Cancel</Button>
        </div>
      </form>
    </Modal>
  );
}

const MONITOR_FIELDS = ['name', 'kind', 'target', 'key', 'intervalSeconds', 'timeoutSeconds', 'expectedStatus', 'keyword', 'certWarningDays', 'heartbeatGraceSeconds', 'failuresToDown', 'successesToUp', 'urgency'] as const;

function MonitorDialog({ clientSlug, service, monitor, onClose, onSaved }: { clientSlug: string; service: ClientServiceFieldsFragment; monitor?: MonitorFieldsFragment; onClose: () => void; onSaved: () => void }) {
  const [kind, setKind] = useState<MonitorKind>(monitor?.kind ?? 'HTTP');
  const [name, setName] = useState(monitor?.name ?? '');
  const [target, setTarget] = useState(monitor?.target ?? '');
  const [key, setKey] = useState(monitor?.key ?? '');
  const [interval, setInterval] = useState(String(monitor?.intervalSeconds ?? (kind === 'HEARTBEAT' ? 3600 : 300)));
  const [timeout, setTimeoutValue] = useState(String(monitor?.timeoutSeconds ?? 10));
  const [expected, setExpected] = useState(monitor?.expectedStatus ? String(monitor.expectedStatus) : '');
  const [keyword, setKeyword] = useState(monitor?.keyword ?? '');
  const [certDays, setCertDays] = useState(String(monitor?.certWarningDays ?? 14));
  const [grace, setGrace] = useState(String(monitor?.heartbeatGraceSeconds ?? 60));
  const [failures, setFailures] = useState(monitor ? String(monitor.failuresToDown) : '');
  const [successes, setSuccesses] = useState(monitor ? String(monitor.successesToUp) : '');
  const [urgency, setUrgency] = useState<Level>(monitor?.urgency ?? 'HIGH');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [create, createState] = useMutation<CreateMonitorMutation, CreateMonitorMutationVariables>(CREATE_MONITOR_MUTATION);
  const [update, updateState] = useMutation<UpdateMonitorMutation, UpdateMonitorMutationVariables>(UPDATE_MONITOR_MUTATION);
  const network = kind === 'HTTP' || kind === 'TCP';

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const numbers = { intervalSeconds: parseWhole(interval), timeoutSeconds: network ? parseWhole(timeout) : null, expectedStatus: kind === 'HTTP' ? parseWhole(expected) : null, certWarningDays: kind === 'HTTP' ? parseWhole(certDays) : null, heartbeatGraceSeconds: kind === 'HEARTBEAT' ? parseWhole(grace) : null, failuresToDown: parseWhole(failures), successesToUp: parseWhole(successes) };
    const bad = Object.entries(numbers).filter(([, v]) => Number.isNaN(v));
    if (!name.trim() || bad.length) {
      setErrors({ ...(!name.trim() ? { name: 'Name the monitor.' } : {}), ...Object.fromEntries(bad.map(([k]) => [k, 'A whole number.'])) });
      return;
    }
    const input = {
      name: name.trim(),
      kind,
      target: network ? target.trim() : '',
      key: key.trim(),
      keyword: kind === 'HTTP' ? keyword : '',
      urgency,
      ...Object.fromEntries(Object.entries(numbers).filter(([, v]) => v !== null)),
    };
    const payload = monitor ? (await update({ clientSlug, id: monitor.id, input }))?.updateMonitor : (await create({ clientSlug, serviceId: service.id, input }))?.createMonitor;
    if (!payload) return;
    if (payload.errors.length) {
      const split = splitErrors(payload.errors, MONITOR_FIELDS);
      setErrors(split.fields);
      setGeneral(split.general);
      return;
    }
    onSaved();
  }

  const requestError = createState.error ?? updateState.error;
  const problems = [...general, ...(requestError ? [requestError.message] : [])];
  return (
    <Modal title={monitor ? `Edit ${monitor.name}` : `Add a monitor to ${service.name}`} onClose={onClose} width={640} testId="monitor-dialog">
      <form onSubmit={(e) => void onSubmit(e)} noValidate className="stack" aria-label="Monitor">
        {problems.length > 0 && <Alert>{problems.join(' ')}</Alert>}
        <div className="form-grid">
          <TextField label="Name" value={name} maxLength={120} onChange={(e) => setName(e.target.value)} error={errors['name']} placeholder="e.g. Outlook on the web" />
          <SelectField label="Check" value={kind} disabled={Boolean(monitor)} onChange={(e) => setKind(e.target.value as MonitorKind)} error={errors['kind']}>
            {MONITOR_KINDS.map((k) => (
              <option key={k} value={k}>
                {MONITOR_KIND_LABEL[k]}
              </option>
            ))}
          </SelectField>
        </div>
        {network && (
          <TextField
            label={kind === 'HTTP' ? 'Address' : 'Host and port'}
            value={target}
            maxLength={500}
            onChange={(e) => setTarget(e.target.value)}
            error={errors['target']}
            placeholder={kind === 'HTTP' ? 'https://mail.example.com/health' : 'vpn.example.com:443'}
          />
        )}
        <div className="form-grid">
          <TextField label={kind === 'HEARTBEAT' ? 'Expect a ping every (seconds)' : 'Check every (seconds)'} inputMode="numeric" value={interval} onChange={(e) => setInterval(e.target.value)} error={errors['intervalSeconds']} hint="30 to 86,400." />
          {network && <TextField label="Timeout (seconds)" inputMode="numeric" value={timeout} onChange={(e) => setTimeoutValue(e.target.value)} error={errors['timeoutSeconds']} hint="1 to 60, shorter than the interval." />}
          {kind === 'HEARTBEAT' && <TextField label="Grace (seconds)" inputMode="numeric" value={grace} onChange={(e) => setGrace(e.target.value)} error={errors['heartbeatGraceSeconds']} />}
        </div>
        {kind === 'HTTP' && (
          <div className="form-grid">
            <TextField label="Expected status" optional inputMode="numeric" value={expected} onChange={(e) => setExpected(e.target.value)} error={errors['expectedStatus']} hint="Empty: any 2xx or 3xx." />
            <TextField label="Keyword on the page" optional value={keyword} maxLength={200} onChange={(e) => setKeyword(e.target.value)} error={errors['keyword']} />
            <TextField label="Warn when the certificate expires within (days)" inputMode="numeric" value={certDays} onChange={(e) => setCertDays(e.target.value)} error={errors['certWarningDays']} hint="0 turns it off." />
          </div>
        )}
        <div className="form-grid">
          <TextField label="Failures before down" optional inputMode="numeric" value={failures} onChange={(e) => setFailures(e.target.value)} error={errors['failuresToDown']} hint={kind === 'HEARTBEAT' ? 'Default 1 missed ping.' : 'Default 3.'} />
          <TextField label="Successes before up" optional inputMode="numeric" value={successes} onChange={(e) => setSuccesses(e.target.value)} error={errors['successesToUp']} hint="Default 2." />
          <SelectField label="Urgency of its incident" value={urgency} onChange={(e) => setUrgency(e.target.value as Level)} error={errors['urgency']}>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {LEVEL_LABEL[l]}
              </option>
            ))}
          </SelectField>
        </div>
        <TextField label="Key (for agents)" optional value={key} maxLength={64} onChange={(e) => setKey(e.target.value)} error={errors['key']} hint="Lower-case letters, digits, - and _. Made from the name when empty." />
        <div className="row gap-sm">
          <Button type="submit" variant="primary" loading={createState.loading || updateState.loading} data-testid="save-monitor">
            Save
          </Button>
          <Button onClick={onClose}>Cancel</Button>
        </div>
      </form>
    </Modal>
  );
}

function MaintenanceDialog({ clientSlug, service, onClose, onSaved }: { clientSlug: string; service: ClientServiceFieldsFragment; onClose: () => void; onSaved: () => void }) {
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [schedule, { loading, error }] = useMutation<ScheduleMaintenanceMutation, ScheduleMaintenanceMutationVariables>(SCHEDULE_MAINTENANCE_MUTATION);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const from = localToIso(startsAt);
    const to = localToIso(endsAt);
    if (!from || !to || !reason.trim()) {
      setErrors({ ...(!from ? { startsAt: 'Choose the start.' } : {}), ...(!to ? { endsAt: 'Choose the end.' } : {}), ...(!reason.trim() ? { reason: 'Say what is done.' } : {}) });
      return;
    }
    const payload = (await schedule({ clientSlug, serviceId: service.id, startsAt: from, endsAt: to, reason: reason.trim() }))?.scheduleMaintenance;
    if (!payload) return;
    if (payload.errors.length) {
      const split = splitErrors(payload.errors, ['startsAt', 'endsAt', 'reason']);
      setErrors(split.fields);
      setGeneral(split.general);
      return;
    }
    onSaved();
  }

  const problems = [...general, ...(error ? [error.message] : [])];
  return (
    <Modal title={`Plan maintenance of ${service.name}`} description="No outage opens during the window, and the time is left out of the month’s availability." onClose={onClose} testId="maintenance-dialog">
      <form onSubmit={(e) => void onSubmit(e)} noValidate className="stack" aria-label="Maintenance window">
        {problems.length > 0 && <Alert>{problems.join(' ')}</Alert>}
        <div className="form-grid">
          <TextField label="Starts" type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} error={errors['startsAt']} />
          <TextField label="Ends" type="datetime-local" value={endsAt} onChange={(e) => setEndsAt(e.target.value)} error={errors['endsAt']} />
        </div>
        <TextField label="Reason" value={reason} maxLength={300} onChange={(e) => setReason(e.target.value)} error={errors['reason']} placeholder="e.g. Firewall firmware update" />
        <div className="row gap-sm">
          <Button type="submit" variant="primary" loading={loading}>
            Plan
          </Button>
          <Button onClick={onClose}>Cancel</Button>
        </div>
      </form>
    </Modal>
  );
}
