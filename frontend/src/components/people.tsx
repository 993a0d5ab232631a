import { useState, type FormEvent } from 'react';
import { splitErrors } from '../auth/authErrors';
import type {
  ClientInvitationsQuery,
  ClientInvitationsQueryVariables,
  ClientRole,
  InvitationFieldsFragment,
  InviteClientUserMutation,
  InviteClientUserMutationVariables,
  MemberFieldsFragment,
} from '../graphql/generated';
import { useMutation, useQuery } from '../graphql/hooks';
import { CLIENT_INVITATIONS_QUERY, INVITE_CLIENT_USER_MUTATION } from '../graphql/operations';
import { CLIENT_ROLES, CLIENT_ROLE_LABEL } from '../lib/enums';
import { formatDate, formatDateTime, formatRelative } from '../lib/format';
import { Alert, Avatar, Badge, Button, EmptyState, SelectField, Skeleton, TextField } from './ui';
import { QueryError } from './QueryError';
import { Card } from './Card';

export function PeopleTable({ members, testId = 'people-table' }: { members: MemberFieldsFragment[]; testId?: string }) {
  if (members.length === 0) {
    return <EmptyState title="No people yet">Invited people appear here once they accept their invitation.</EmptyState>;
  }
  const sorted = [...members].sort((a, b) => (a.role === b.role ? a.fullName.localeCompare(b.fullName) : a.role === 'IT_LEAD' ? -1 : 1));
  return (
    <div className="table-wrap flat">
      <table className="table table-stack" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Joined</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((m) => (
            <tr key={m.id}>
              <td>
                <span className="person">
                  <Avatar name={m.fullName || m.email} size={22} />
                  {m.fullName || <span className="muted">—</span>}
                </span>
              </td>
              <td data-label="Email">
                <a href={`mailto:${m.email}`} className="subtle-link">
                  {m.email}
                </a>
              </td>
              <td data-label="Role">
                <RoleBadge role={m.role} />
              </td>
              <td className="nowrap" data-label="Joined" title={formatDateTime(m.joinedAt)}>
                {formatDate(m.joinedAt)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RoleBadge({ role }: { role: ClientRole }) {
  return <Badge tone={role === 'IT_LEAD' ? 'accent' : 'grey'}>{CLIENT_ROLE_LABEL[role]}</Badge>;
}

export function InvitationsTable({ invitations }: { invitations: InvitationFieldsFragment[] }) {
  if (invitations.length === 0) return <p className="muted small pad">No pending invitations.</p>;
  return (
    <div className="table-wrap flat">
      <table className="table table-stack" data-testid="invitations-table">
        <thead>
          <tr>
            <th scope="col">Invitee</th>
            <th scope="col">Role</th>
            <th scope="col">Invited</th>
            <th scope="col">Expires</th>
          </tr>
        </thead>
        <tbody>
          {invitations.map((i) => {
            const expired = new Date(i.expiresAt).getTime() < Date.now();
            return (
              <tr key={i.id}>
                <td>
                  <div className="cell-primary">
                    <span>{i.fullName || i.email}</span>
                    <span className="cell-secondary">{i.email}</span>
                  </div>
                </td>
                <td data-label="Role">
                  <RoleBadge role={i.role} />
                </td>
                <td className="nowrap" data-label="Invited" title={formatDateTime(i.createdAt)}>
                  {formatDate(i.createdAt)}
                  {i.invitedBy && <span className="cell-secondary">by {i.invitedBy}</span>}
                </td>
                <td className="nowrap" data-label="Expires" title={formatDateTime(i.expiresAt)}>
                  {expired ? <Badge tone="amber">Expired</Badge> : formatRelative(i.expiresAt)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Pending invitations (own query: only IT leads and MSP staff may read them) + optional invite form. */
export function InvitationsSection({ slug, canInvite, passSlug = true }: { slug: string; canInvite: boolean; passSlug?: boolean }) {
  const q = useQuery<ClientInvitationsQuery, ClientInvitationsQueryVariables>(CLIENT_INVITATIONS_QUERY, passSlug ? { slug } : {});
  const invitations = q.data?.client?.pendingInvitations ?? [];
  return (
    <Card headingId="invitations-heading" title={<>Pending invitations{q.data && <span className="count">{invitations.length}</span>}</>}>
      {q.error ? (
        <div className="pad">
          <QueryError title="Couldn’t load the pending invitations" error={q.error} onRetry={q.refetch} retrying={q.loading} />
        </div>
      ) : !q.data ? (
        <div className="pad stack-sm">
          <Skeleton width="60%" />
          <Skeleton width="40%" />
        </div>
      ) : (
        <InvitationsTable invitations={invitations} />
      )}
      {canInvite && (
        <div className="card-section">
          <InviteUserForm clientSlug={slug} onInvited={() => void q.refetch()} />
        </div>
      )}
    </Card>
  );
}

const INVITE_FIELDS = ['email', 'fullName', 'role'] as const;

export function InviteUserForm({ clientSlug, onInvited }: { clientSlug: string; onInvited: (email: string) => void }) {
  const [email, setEmail] = useState('');
  const [fullName, setFullName] = useState('');
  const [role, setRole] = useState<ClientRole>('MEMBER');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [success, setSuccess] = useState<string | null>(null);
  const [invite, { loading, error }] = useMutation<InviteClientUserMutation, InviteClientUserMutationVariables>(
    INVITE_CLIENT_USER_MUTATION,
  );

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setSuccess(null);
    const fe: Record<string, string> = {};
    if (!fullName.trim()) fe['fullName'] = 'Enter their full name.';
    if (!email.trim()) fe['email'] = 'Enter their email address.';
    else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) fe['email'] = 'Enter a valid email address.';
    setErrors(fe);
    setGeneral([]);
    if (Object.keys(fe).length) return;
    const data = await invite({ input: { clientSlug, email: email.trim(), fullName: fullName.trim(), role } });
    if (!data) return;
    const p = data.inviteClientUser;
    if (p.errors.length > 0) {
      const { fields, general: g } = splitErrors(p.errors, INVITE_FIELDS);
      setErrors(fields);
      setGeneral(g);
      return;
    }
    setSuccess(`Invitation sent to ${p.invitation?.email ?? email.trim()}.`);
    setEmail('');
    setFullName('');
    setRole('MEMBER');
    onInvited(email.trim());
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Invite user" data-testid="invite-form">
      <h3 className="section-title">Invite a user</h3>
      {(general.length > 0 || error) && <Alert className="mb">{[...general, ...(error ? [error.message] : [])].join(' ')}</Alert>}
      {success && (
        <Alert tone="success" className="mb">
          <span data-testid="invite-success">{success}</span>
        </Alert>
      )}
      <div className="invite-grid">
        <TextField
          label="Full name"
          value={fullName}
          onChange={(e) => setFullName(e.target.value)}
          error={errors['fullName']}
          autoComplete="off"
          data-testid="invite-user-name"
        />
        <TextField
          label="Email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors['email']}
          autoComplete="off"
          data-testid="invite-user-email"
        />
        <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as ClientRole)} error={errors['role']} data-testid="invite-user-role">
          {CLIENT_ROLES.map((r) => (
            <option key={r} value={r}>
              {CLIENT_ROLE_LABEL[r]}
            </option>
          ))}
        </SelectField>
        <div className="invite-submit">
          <Button type="submit" variant="primary" loading={loading} data-testid="invite-user-submit">
            Send invitation
          </Button>
        </div>
      </div>
    </form>
  );
}
