import { useState } from 'react';
import { Card } from '../../components/Card';
import { QueryError } from '../../components/QueryError';
import { Badge, Button, EmptyState, FilterChip, Skeleton } from '../../components/ui';
import type {
  ApplyIdpImportMutation,
  ApplyIdpImportMutationVariables,
  DiscardIdpImportMutation,
  DiscardIdpImportMutationVariables,
  IdpAccountsQuery,
  IdpAccountsQueryVariables,
  IdpImportQuery,
  MfaCoverageQuery,
  MfaCoverageQueryVariables,
  PreviewIdpImportMutation,
  PreviewIdpImportMutationVariables,
} from '../../graphql/generated';
import { useMutation, useQuery } from '../../graphql/hooks';
import {
  APPLY_IDP_IMPORT_MUTATION,
  DISCARD_IDP_IMPORT_MUTATION,
  IDP_ACCOUNTS_QUERY,
  IDP_IMPORT_QUERY,
  MFA_COVERAGE_QUERY,
  PREVIEW_IDP_IMPORT_MUTATION,
} from '../../graphql/operations';
import { formatDate, formatDateTime, formatNumber, formatRelative } from '../../lib/format';
import { CsvImportPanel } from './CsvImportPanel';
import { MfaTrend } from './MfaTrend';
import { formatCoverage } from './mfa';
import { StatePill } from './StatePill';
import './assets.css';

const PAGE = 50;

/** MFA coverage of one client: the KPI, its trend, accounts without MFA first, and the IdP list import. */
export function MfaSection({ clientSlug }: { clientSlug?: string }) {
  const slugVars = clientSlug ? { clientSlug } : {};
  const coverage = useQuery<MfaCoverageQuery, MfaCoverageQueryVariables>(MFA_COVERAGE_QUERY, { ...slugVars, days: 30 });
  const [withoutOnly, setWithoutOnly] = useState(true);
  const [after, setAfter] = useState<string[]>([]);
  const cursor = after[after.length - 1];
  const accounts = useQuery<IdpAccountsQuery, IdpAccountsQueryVariables>(IDP_ACCOUNTS_QUERY, {
    ...slugVars,
    ...(withoutOnly ? { mfaEnabled: false } : {}),
    first: PAGE,
    ...(cursor ? { after: cursor } : {}),
  });
  const [preview] = useMutation<PreviewIdpImportMutation, PreviewIdpImportMutationVariables>(PREVIEW_IDP_IMPORT_MUTATION);
  const [apply] = useMutation<ApplyIdpImportMutation, ApplyIdpImportMutationVariables>(APPLY_IDP_IMPORT_MUTATION);
  const [discard] = useMutation<DiscardIdpImportMutation, DiscardIdpImportMutationVariables>(DISCARD_IDP_IMPORT_MUTATION);
  const data = coverage.data?.mfaCoverage;
  const portalWithout = (data?.portalUsers ?? []).filter((u) => !u.hasMfa);
  const rows = (accounts.data?.idpAccounts.edges ?? []).flatMap((e) => (e?.node ? [e.node] : []));

  return (
    <div className="asset-stack" data-testid="mfa-section">
      <Card headingId="mfa-kpi-heading" title="MFA coverage">
        {coverage.error && !data ? (
          <div className="pad">
            <QueryError title="Couldn’t load MFA coverage" error={coverage.error} onRetry={coverage.refetch} retrying={coverage.loading} />
          </div>
        ) : !data ? (
          <div className="pad stack-sm" aria-busy="true">
            <Skeleton height={40} width={160} />
            <Skeleton height={120} />
          </div>
        ) : (
          <div className="pad stack">
            <div className="mfa-kpi">
              <div className="stat">
                <div className="stat-label">Active accounts with MFA</div>
                <div className="stat-value" data-testid="mfa-percent">
                  {formatCoverage(data.percent)}
                </div>
                <div className="stat-sub">
                  {formatNumber(data.coveredAccounts)} of {formatNumber(data.totalAccounts)} · {formatNumber(data.uncoveredAccounts)} without
                </div>
              </div>
              <div className="stat">
                <div className="stat-label">Portal sign-ins</div>
                <div className="stat-sub">
                  {formatNumber(data.portalCovered)} of {formatNumber(data.portalAccounts)} use an authenticator app
                </div>
              </div>
              <div className="stat">
                <div className="stat-label">Identity provider</div>
                <div className="stat-sub">
                  {formatNumber(data.idpCovered)} of {formatNumber(data.idpAccounts)} with MFA
                  {data.lastImportAt ? ` · list of ${formatDate(data.lastImportAt)}` : ' · no list imported yet'}
                </div>
              </div>
            </div>
            <MfaTrend points={data.history} />
            <p className="field-hint">
              Every active account counts once per way in: a person with a portal login and a directory account has two, and each needs its own second factor. Disabled directory accounts
              don’t count. One point per day.
            </p>
          </div>
        )}
      </Card>

      <Card
        headingId="mfa-accounts-heading"
        title={withoutOnly ? 'Accounts without MFA' : 'All accounts'}
        aside={
          <FilterChip pressed={withoutOnly} onToggle={() => (setAfter([]), setWithoutOnly(!withoutOnly))} testId="mfa-without-only">
            Without MFA only
          </FilterChip>
        }
      >
        {portalWithout.length > 0 && (
          <div className="pad">
            <h3 className="section-title">Portal sign-ins without an authenticator app</h3>
            <ul className="people-list" data-testid="mfa-portal-without">
              {portalWithout.map((u) => (
                <li key={u.email}>
                  <div>
                    <div className="strong">
                      {u.fullName || u.email} {u.isItLead && <Badge tone="blue">IT lead</Badge>}
                    </div>
                    <div className="small muted">{u.email}</div>
                  </div>
                </li>
              ))}
            </ul>
          </div>
        )}
        {accounts.error && !accounts.data ? (
          <div className="pad">
            <QueryError title="Couldn’t load the accounts" error={accounts.error} onRetry={accounts.refetch} retrying={accounts.loading} />
          </div>
        ) : !accounts.data ? (
          <div className="pad" aria-busy="true">
            <Skeleton height={16} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState title={withoutOnly ? 'Every directory account has MFA' : 'No directory accounts'}>
            {withoutOnly ? 'Nothing to chase here.' : 'Import the list of accounts from your identity provider below.'}
          </EmptyState>
        ) : (
          <>
            {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
            <div className="table-wrap flat" role="region" aria-label="Directory accounts" tabIndex={0}>
              <table className="table" data-testid="mfa-accounts-table">
                <thead>
                  <tr>
                    <th scope="col">Account</th>
                    <th scope="col">MFA</th>
                    <th scope="col">Last sign-in</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((a) => (
                    <tr key={a.id} data-testid="mfa-account-row">
                      <td>
                        <div className="cell-primary break">{a.displayName || a.login}</div>
                        <div className="cell-secondary small muted break">{a.login}</div>
                      </td>
                      <td className="nowrap">
                        <StatePill tone={a.mfaEnabled ? 'green' : 'red'}>{a.mfaEnabled ? a.mfaMethod || 'Enabled' : 'No MFA'}</StatePill>
                      </td>
                      <td className="nowrap" title={a.lastSignInAt ? formatDateTime(a.lastSignInAt) : undefined}>
                        {a.lastSignInAt ? formatRelative(a.lastSignInAt) : <span className="muted">Never</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="table-footer row gap-sm">
              <span className="muted small">{formatNumber(accounts.data.idpAccounts.totalCount)} accounts</span>
              {after.length > 0 && (
                <Button size="sm" variant="ghost" onClick={() => setAfter(after.slice(0, -1))}>
                  Previous page
                </Button>
              )}
              {accounts.data.idpAccounts.pageInfo.hasNextPage && accounts.data.idpAccounts.pageInfo.endCursor && (
                <Button size="sm" variant="ghost" onClick={() => setAfter([...after, accounts.data!.idpAccounts.pageInfo.endCursor!])}>
                  Next page
                </Button>
              )}
            </div>
          </>
        )}
      </Card>

      <CsvImportPanel
        title="Import accounts from your identity provider"
        testId="idp-import"
        columnsHint={
          <>
            Export the user list from Entra ID, Google Workspace or Okta as CSV. Columns: <span className="mono">email</span> (or UPN) and <span className="mono">mfa_enabled</span> (required),{' '}
            <span className="mono">display_name, mfa_method, account_enabled, last_sign_in</span>. The file is the whole directory: accounts missing from it are removed. Nothing is written
            until you confirm.
          </>
        }
        preview={async (fileName, dataBase64) => {
          const r = (await preview({ ...slugVars, fileName, dataBase64 }))?.previewIdpImport;
          return r && { job: r.idpImport, errors: r.errors };
        }}
        apply={async (importId) => {
          const r = (await apply({ ...slugVars, importId }))?.applyIdpImport;
          return r && { job: r.idpImport, errors: r.errors };
        }}
        discard={async (importId) => {
          const r = (await discard({ ...slugVars, importId }))?.discardIdpImport;
          return r && { job: null, errors: r.errors };
        }}
        pollQuery={IDP_IMPORT_QUERY}
        pollVariables={(id) => ({ ...slugVars, id })}
        pickJob={(d) => (d as IdpImportQuery).idpImport}
        onApplied={() => {
          void coverage.refetch();
          void accounts.refetch();
        }}
      />
    </div>
  );
}
