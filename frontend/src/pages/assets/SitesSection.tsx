import { useState, type FormEvent } from 'react';
import { Card } from '../../components/Card';
import { QueryError } from '../../components/QueryError';
import { Alert, Button, EmptyState, Modal, SelectField, Skeleton, TextField } from '../../components/ui';
import type {
  ContactsQuery,
  ContactsQueryVariables,
  CreateSiteMutation,
  CreateSiteMutationVariables,
  RetireSiteMutation,
  RetireSiteMutationVariables,
  SiteFieldsFragment,
  SiteKind,
  SitesQuery,
  SitesQueryVariables,
  UpdateSiteMutation,
  UpdateSiteMutationVariables,
} from '../../graphql/generated';
import { useMutation, useQuery } from '../../graphql/hooks';
import { CONTACTS_QUERY, CREATE_SITE_MUTATION, RETIRE_SITE_MUTATION, SITES_QUERY, UPDATE_SITE_MUTATION } from '../../graphql/operations';
import { isOneOf } from '../../lib/enums';
import { formatNumber } from '../../lib/format';
import { SITE_KINDS, SITE_KIND_LABEL } from './labels';

/** The client's sites (offices, data rooms, home offices); staff add, edit and retire them. */
export function SitesSection({ clientSlug, canEdit }: { clientSlug?: string; canEdit: boolean }) {
  const q = useQuery<SitesQuery, SitesQueryVariables>(SITES_QUERY, { ...(clientSlug ? { clientSlug } : {}), first: 100 });
  const [editing, setEditing] = useState<SiteFieldsFragment | 'new' | null>(null);
  const sites = (q.data?.sites.edges ?? []).flatMap((e) => (e?.node ? [e.node] : []));
  return (
    <Card
      headingId="sites-heading"
      testId="sites-section"
      title={
        <>
          Sites <span className="count">{q.data ? formatNumber(q.data.sites.totalCount) : '…'}</span>
        </>
      }
      aside={
        canEdit && (
          <Button size="sm" variant="primary" onClick={() => setEditing('new')} data-testid="site-new">
            Add site
          </Button>
        )
      }
    >
      {q.error && !q.data ? (
        <div className="pad">
          <QueryError title="Couldn’t load sites" error={q.error} onRetry={q.refetch} retrying={q.loading} />
        </div>
      ) : !q.data ? (
        <div className="pad stack-sm" aria-busy="true">
          <Skeleton height={16} />
          <Skeleton height={16} width="60%" />
        </div>
      ) : sites.length === 0 ? (
        <EmptyState title="No sites yet">{canEdit ? 'Add the office, the server room and the home offices of remote staff.' : 'Your MSP has not recorded any site for you yet.'}</EmptyState>
      ) : (
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        <div className="table-wrap flat" role="region" aria-label="Sites" tabIndex={0}>
          <table className="table" data-testid="sites-table">
            <thead>
              <tr>
                <th scope="col">Site</th>
                <th scope="col">Kind</th>
                <th scope="col">Person</th>
                <th scope="col" className="num">
                  Devices
                </th>
                {canEdit && (
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {sites.map((s) => (
                <tr key={s.id} data-testid="site-row">
                  <td>
                    <div className="cell-primary">{s.name}</div>
                    {s.address && <div className="cell-secondary small muted">{s.address}</div>}
                  </td>
                  <td className="nowrap">{SITE_KIND_LABEL[s.kind]}</td>
                  <td>{s.contact ? s.contact.fullName : <span className="muted">—</span>}</td>
                  <td className="num tabular">{s.deviceCount}</td>
                  {canEdit && (
                    <td>
                      <Button size="sm" variant="ghost" onClick={() => setEditing(s)} aria-label={`Edit ${s.name}`} data-testid="site-edit">
                        Edit
                      </Button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && clientSlug !== undefined && (
        <SiteDialog
          clientSlug={clientSlug}
          site={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void q.refetch();
          }}
        />
      )}
    </Card>
  );
}

function SiteDialog({ clientSlug, site, onClose, onSaved }: { clientSlug: string; site: SiteFieldsFragment | null; onClose: () => void; onSaved: () => void }) {
  const [name, setName] = useState(site?.name ?? '');
  const [kind, setKind] = useState<SiteKind>(site?.kind ?? 'OFFICE');
  const [address, setAddress] = useState(site?.address ?? '');
  const [contactId, setContactId] = useState(site?.contact?.id ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const contacts = useQuery<ContactsQuery, ContactsQueryVariables>(CONTACTS_QUERY, { clientSlug });
  const [create, creating] = useMutation<CreateSiteMutation, CreateSiteMutationVariables>(CREATE_SITE_MUTATION);
  const [update, updating] = useMutation<UpdateSiteMutation, UpdateSiteMutationVariables>(UPDATE_SITE_MUTATION);
  const [retire, retiring] = useMutation<RetireSiteMutation, RetireSiteMutationVariables>(RETIRE_SITE_MUTATION);

  function show(list: readonly { field?: string | null; message: string }[]) {
    const byField: Record<string, string> = {};
    const general: string[] = [];
    for (const e of list) {
      const key = (e.field ?? '').replace(/^input\./, '');
      if (key) byField[key] = byField[key] ?? e.message;
      else general.push(e.message);
    }
    setErrors(byField);
    setFormError(general.join(' ') || null);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const input = { name, kind, address, contactId: contactId || null };
    const answer = site ? (await update({ clientSlug, id: site.id, input }))?.updateSite : (await create({ clientSlug, input }))?.createSite;
    if (!answer) return setFormError('The site could not be saved. Check your connection and try again.');
    if (answer.errors.length) return show(answer.errors);
    onSaved();
  }

  async function onRetire() {
    if (!site) return;
    const answer = (await retire({ clientSlug, id: site.id }))?.retireSite;
    if (!answer) return setFormError('The site could not be retired. Try again.');
    if (answer.errors.length) return show(answer.errors);
    onSaved();
  }

  return (
    <Modal
      title={site ? `Edit ${site.name}` : 'Add a site'}
      onClose={onClose}
      testId="site-dialog"
      footer={
        <>
          {site && (
            <Button variant="danger" size="sm" onClick={() => void onRetire()} loading={retiring.loading} data-testid="site-retire">
              Retire
            </Button>
          )}
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="site-form" loading={creating.loading || updating.loading} data-testid="site-save">
            {site ? 'Save' : 'Add site'}
          </Button>
        </>
      }
    >
      <form id="site-form" className="stack" onSubmit={(e) => void submit(e)} noValidate>
        {formError && <Alert tone="error">{formError}</Alert>}
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} maxLength={120} required data-testid="site-name" />
        <SelectField label="Kind" value={kind} onChange={(e) => isOneOf(SITE_KINDS, e.target.value) && setKind(e.target.value)} error={errors.kind} data-testid="site-kind">
          {SITE_KINDS.map((k) => (
            <option key={k} value={k}>
              {SITE_KIND_LABEL[k]}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Person"
          optional={kind !== 'HOME_OFFICE'}
          hint={kind === 'HOME_OFFICE' ? 'A home office belongs to the person who works there.' : undefined}
          value={contactId}
          onChange={(e) => setContactId(e.target.value)}
          error={errors.contactId}
          data-testid="site-contact"
        >
          <option value="">Nobody</option>
          {(contacts.data?.contacts ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.fullName} ({c.email})
            </option>
          ))}
        </SelectField>
        <TextField label="Address" optional value={address} onChange={(e) => setAddress(e.target.value)} error={errors.address} maxLength={300} />
      </form>
    </Modal>
  );
}
