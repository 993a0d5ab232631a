import { useEffect, useState } from 'react';
import { Card } from '../../components/Card';
import { QueryError } from '../../components/QueryError';
import { Alert, Button, Skeleton } from '../../components/ui';
import type {
  ResetSecurityResponseTargetsMutation,
  ResetSecurityResponseTargetsMutationVariables,
  SaveSecurityResponseTargetsMutation,
  SaveSecurityResponseTargetsMutationVariables,
  SecurityResponsePolicyFieldsFragment,
  SecurityResponsePolicyQuery,
  SecurityResponsePolicyQueryVariables,
  SecuritySeverity,
} from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { RESET_SECURITY_RESPONSE_TARGETS_MUTATION, SAVE_SECURITY_RESPONSE_TARGETS_MUTATION, SECURITY_RESPONSE_POLICY_QUERY } from '../../graphql/operations';
import { formatMinutes } from '../../lib/sla';
import { SEVERITY_LABEL } from './security';
import { SeverityPill } from './SecurityPills';
import { useSecurityAction } from './useSecurityAction';

type Row = { severity: SecuritySeverity; acknowledge: string; contain: string; resolve: string; aroundTheClock: boolean };
const MEASURES = [
  ['acknowledge', 'Acknowledge'],
  ['contain', 'Contain'],
  ['resolve', 'Resolve'],
] as const;

function toRows(policy: SecurityResponsePolicyFieldsFragment): Row[] {
  const text = (n: number | null) => (n === null ? '' : String(n));
  return policy.targets.map((t) => ({
    severity: t.severity,
    acknowledge: text(t.acknowledgeMinutes),
    contain: text(t.containMinutes),
    resolve: text(t.resolveMinutes),
    aroundTheClock: t.aroundTheClock,
  }));
}

/** Minutes typed in a box → a number, null for empty, NaN for anything else (the server says why). */
function minutes(value: string): number | null {
  const v = value.trim();
  if (!v) return null;
  return /^\d{1,7}$/.test(v) ? Number(v) : Number.NaN;
}

/** The client's security response targets; MSP admins and account managers edit them. */
export function ResponseTargetsCard({ clientSlug, canEdit }: { clientSlug: string; canEdit: boolean }) {
  const q = useQuery<SecurityResponsePolicyQuery, SecurityResponsePolicyQueryVariables>(SECURITY_RESPONSE_POLICY_QUERY, { clientSlug });
  const [policy, setPolicy] = useState<SecurityResponsePolicyFieldsFragment | null>(null);
  const [rows, setRows] = useState<Row[] | null>(null);
  const [localError, setLocalError] = useState<string | null>(null);
  useEffect(() => {
    if (q.data) setPolicy(q.data.securityResponsePolicy);
  }, [q.data]);
  const save = useSecurityAction<SaveSecurityResponseTargetsMutation, SaveSecurityResponseTargetsMutationVariables, SecurityResponsePolicyFieldsFragment>(SAVE_SECURITY_RESPONSE_TARGETS_MUTATION, [], setPolicy);
  const reset = useSecurityAction<ResetSecurityResponseTargetsMutation, ResetSecurityResponseTargetsMutationVariables, SecurityResponsePolicyFieldsFragment>(RESET_SECURITY_RESPONSE_TARGETS_MUTATION, [], setPolicy);

  async function submit() {
    if (!rows) return;
    const targets = rows.map((r) => ({
      severity: r.severity,
      acknowledgeMinutes: minutes(r.acknowledge),
      containMinutes: minutes(r.contain),
      resolveMinutes: minutes(r.resolve),
      aroundTheClock: r.aroundTheClock,
    }));
    if (targets.some((t) => [t.acknowledgeMinutes, t.containMinutes, t.resolveMinutes].some((m) => m !== null && (Number.isNaN(m) || m <= 0)))) {
      setLocalError('Targets are whole minutes of at least 1; leave a box empty for no target.');
      return;
    }
    setLocalError(null);
    const result = await save.run({ clientSlug, targets });
    if (result.ok) setRows(null);
  }

  const messages = [...(localError ? [localError] : []), ...save.generalMessages, ...reset.generalMessages];
  return (
    <Card
      headingId="security-targets-heading"
      title="Response targets"
      testId="security-targets"
      aside={
        policy && (
          <span className="small muted">
            {policy.isDefault ? 'MSP defaults' : 'set for this client'} · business hours: {policy.calendarName}
          </span>
        )
      }
    >
      {q.error && <QueryError title="Couldn’t load the targets" error={q.error} onRetry={q.refetch} retrying={q.loading} />}
      {messages.length > 0 && <Alert className="pad">{messages.join(' ')}</Alert>}
      {!policy ? (
        <div className="pad">
          <Skeleton width={240} />
        </div>
      ) : (
        // Wide on a phone: the table scrolls inside this region (focusable, for keyboards too).
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        <div className="targets-scroll" role="region" aria-label="Response targets by severity" tabIndex={0}>
          <table className="table table-mini" data-testid="security-targets-table">
            <thead>
              <tr>
                <th scope="col">Severity</th>
                {MEASURES.map(([, label]) => (
                  <th key={label} scope="col">
                    {label}
                  </th>
                ))}
                <th scope="col">Measured</th>
              </tr>
            </thead>
            <tbody>
              {(rows ?? toRows(policy)).map((r, index) => (
                <tr key={r.severity}>
                  <td>
                    <SeverityPill severity={r.severity} />
                  </td>
                  {MEASURES.map(([key, label]) => (
                    <td key={key}>
                      {rows ? (
                        <input
                          className="input input-sm"
                          inputMode="numeric"
                          aria-label={`${label} target for ${SEVERITY_LABEL[r.severity]}, minutes`}
                          value={r[key]}
                          onChange={(e) => setRows(rows.map((x, i) => (i === index ? { ...x, [key]: e.target.value } : x)))}
                          size={6}
                        />
                      ) : (
                        formatMinutes(r[key] ? Number(r[key]) : null)
                      )}
                    </td>
                  ))}
                  <td>
                    {rows ? (
                      <label className="checkbox-row">
                        <input type="checkbox" checked={r.aroundTheClock} onChange={(e) => setRows(rows.map((x, i) => (i === index ? { ...x, aroundTheClock: e.target.checked } : x)))} />
                        <span>24x7</span>
                      </label>
                    ) : r.aroundTheClock ? (
                      '24x7'
                    ) : (
                      'business hours'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canEdit && policy && (
        <div className="pad row gap-sm">
          {rows ? (
            <>
              <Button variant="primary" size="sm" loading={save.loading} onClick={() => void submit()} data-testid="security-targets-save">
                Save targets
              </Button>
              <Button size="sm" onClick={() => setRows(null)}>
                Cancel
              </Button>
            </>
          ) : (
            <>
              <Button size="sm" onClick={() => setRows(toRows(policy))} data-testid="security-targets-edit">
                Edit targets
              </Button>
              {!policy.isDefault && (
                <Button size="sm" variant="ghost" loading={reset.loading} onClick={() => void reset.run({ clientSlug })}>
                  Back to MSP defaults
                </Button>
              )}
            </>
          )}
        </div>
      )}
    </Card>
  );
}
