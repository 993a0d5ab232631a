import { useEffect, useId, useState, type FormEvent } from 'react';
import { useViewer } from '../../auth/ViewerContext';
import { PriorityPill } from '../../components/desk';
import { Alert, Badge, Button, Skeleton } from '../../components/ui';
import type {
  ClientSlaQuery,
  ClientSlaQueryVariables,
  SetClientSlaMutation,
  SetClientSlaMutationVariables,
  SlaPolicyOptionsQuery,
} from '../../graphql/generated';
import { useMutation, useQuery } from '../../graphql/hooks';
import { CATALOG_PRIORITIES, formatTargetMinutes, mapCatalogErrors } from './catalog';
import { CLIENT_SLA_QUERY, SET_CLIENT_SLA_MUTATION, SLA_POLICY_OPTIONS_QUERY } from '../../graphql/operations';
import { Card } from '../../components/Card';
import './catalog.css';
import { QueryError } from '../../components/QueryError';

type ClientSla = NonNullable<ClientSlaQuery['clientSla']>;

/** The select's value: the MSP default, explicit "no SLA", or a policy id. */
const DEFAULT = 'default';
const NO_SLA = 'none';

export function choiceOf(sla: ClientSla): string {
  if (!sla.explicit) return DEFAULT;
  return sla.policy ? sla.policy.id : NO_SLA;
}

/** "MSP default: Standard" / "No SLA" / "Premium". */
export function describeClientSla(sla: ClientSla): string {
  if (!sla.explicit) return sla.policy ? `MSP default: ${sla.policy.name}` : 'No SLA (the MSP has no default policy)';
  return sla.policy ? sla.policy.name : 'No SLA';
}

/** The client page's SLA card: the policy new tickets get, and (admins, account managers) a way to change it. */
export function ClientSlaCard({ clientSlug }: { clientSlug: string }) {
  const { viewer } = useViewer();
  const canChange = viewer?.mspRole === 'ADMIN' || viewer?.mspRole === 'ACCOUNT_MANAGER';
  const q = useQuery<ClientSlaQuery, ClientSlaQueryVariables>(CLIENT_SLA_QUERY, { clientSlug });
  const options = useQuery<SlaPolicyOptionsQuery>(SLA_POLICY_OPTIONS_QUERY, undefined, { skip: !canChange });
  const [set, setting] = useMutation<SetClientSlaMutation, SetClientSlaMutationVariables>(SET_CLIENT_SLA_MUTATION);
  const [current, setCurrent] = useState<ClientSla | null>(null);
  const [choice, setChoice] = useState<string>(DEFAULT);
  const [errors, setErrors] = useState<{ field?: string; general: string[] }>({ general: [] });
  const [saved, setSaved] = useState(false);
  const selectId = useId();
  const errorId = useId();

  const loaded = q.data?.clientSla ?? null;
  useEffect(() => {
    if (loaded) {
      setCurrent(loaded);
      setChoice(choiceOf(loaded));
    }
  }, [loaded]);

  const sla = current ?? loaded;
  const policies = options.data?.slaCatalog.policies ?? [];
  const defaultPolicy = policies.find((p) => p.isDefault);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setErrors({ general: [] });
    setSaved(false);
    const vars: SetClientSlaMutationVariables =
      choice === DEFAULT ? { clientSlug } : choice === NO_SLA ? { clientSlug, noSla: true } : { clientSlug, policyId: choice };
    const data = await set(vars);
    const payload = data?.setClientSla;
    if (!payload) return;
    if (payload.errors.length > 0) {
      const mapped = mapCatalogErrors(payload.errors, ['policyId', 'noSla']);
      setErrors({ field: mapped.fields['policyId'] ?? mapped.fields['noSla'], general: mapped.general });
      return;
    }
    if (payload.clientSla) {
      setCurrent(payload.clientSla);
      setChoice(choiceOf(payload.clientSla));
      setSaved(true);
    }
  }

  const general = [...errors.general, ...(setting.error ? [setting.error.message] : [])];

  return (
    <Card headingId="client-sla-heading" title="SLA" testId="client-sla" aside={sla && !sla.explicit && sla.policy && <Badge>MSP default</Badge>}>
      {q.error && !sla ? (
        <div className="pad">
          <QueryError title="Couldn’t load the SLA" error={q.error} onRetry={q.refetch} retrying={q.loading} />
        </div>
      ) : !sla ? (
        <div className="pad stack-sm" aria-busy="true">
          <Skeleton width="60%" />
          <Skeleton width="80%" />
        </div>
      ) : (
        <>
          <div className="pad stack-sm">
            <div>
              <div className="strong" data-testid="client-sla-policy">
                {describeClientSla(sla)}
              </div>
              <div className="small muted">
                {sla.policy ? sla.policy.description || 'New tickets get this policy’s targets.' : 'New tickets have no SLA clocks.'}
              </div>
            </div>
            {sla.policy && sla.policy.targets.length > 0 && (
              <table className="table table-mini client-sla-targets">
                <thead>
                  <tr>
                    <th scope="col">Priority</th>
                    <th scope="col">Response</th>
                    <th scope="col">Resolve</th>
                  </tr>
                </thead>
                <tbody>
                  {CATALOG_PRIORITIES.map((p) => {
                    const t = sla.policy?.targets.find((x) => x.priority === p);
                    if (!t) return null;
                    return (
                      <tr key={p}>
                        <td>
                          <PriorityPill priority={p} /> {t.aroundTheClock && <span className="small muted">24x7</span>}
                        </td>
                        <td className="tabular">{formatTargetMinutes(t.firstResponseMinutes) || '—'}</td>
                        <td className="tabular">{formatTargetMinutes(t.resolutionMinutes) || '—'}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
          </div>
          {canChange && (
            <form className="card-section stack-sm" onSubmit={(e) => void submit(e)} noValidate aria-label="Change the client’s SLA">
              {general.length > 0 && <Alert>{general.join(' ')}</Alert>}
              <div className={errors.field ? 'field has-error' : 'field'}>
                <label className="field-label" htmlFor={selectId}>
                  SLA policy for new tickets
                </label>
                <div className="row gap-sm">
                  <select
                    id={selectId}
                    className="select select-sm"
                    value={choice}
                    onChange={(e) => {
                      setChoice(e.target.value);
                      setSaved(false);
                    }}
                    aria-invalid={errors.field ? true : undefined}
                    aria-describedby={errors.field ? errorId : undefined}
                    data-testid="client-sla-select"
                  >
                    <option value={DEFAULT}>MSP default{defaultPolicy ? ` (${defaultPolicy.name})` : ''}</option>
                    {policies.map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.name}
                      </option>
                    ))}
                    {/* The current explicit policy, before the options have loaded. */}
                    {sla.explicit && sla.policy && !policies.some((p) => p.id === sla.policy?.id) && <option value={sla.policy.id}>{sla.policy.name}</option>}
                    <option value={NO_SLA}>No SLA</option>
                  </select>
                  <Button type="submit" size="sm" variant="primary" loading={setting.loading} disabled={choice === choiceOf(sla)} data-testid="client-sla-save">
                    Save
                  </Button>
                </div>
                {errors.field ? (
                  <div className="field-error" id={errorId} role="alert">
                    {errors.field}
                  </div>
                ) : saved ? (
                  <div className="small catalog-ok" role="status">
                    Saved. New tickets use it; open tickets keep the policy they were raised under.
                  </div>
                ) : (
                  <div className="field-hint">Open tickets keep the policy they were raised under.</div>
                )}
              </div>
              {options.error && <div className="field-hint">The list of policies couldn’t be loaded: {options.error.message}</div>}
            </form>
          )}
        </>
      )}
    </Card>
  );
}
