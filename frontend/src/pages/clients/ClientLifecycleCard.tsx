import { useState } from 'react';
import { useNavigate } from 'react-router';
import { Alert, Button, Modal, Skeleton, StatusPill, TextField } from '../../components/ui';
import type {
  ClientLifecycleQuery,
  ClientLifecycleQueryVariables,
  ClientStatus,
  ChangeClientStatusMutation,
  ChangeClientStatusMutationVariables,
  DeleteClientMutation,
  DeleteClientMutationVariables,
} from '../../graphql/generated';
import { useMutation, useQuery } from '../../graphql/hooks';
import { CHANGE_CLIENT_STATUS_MUTATION, CLIENT_LIFECYCLE_QUERY, DELETE_CLIENT_MUTATION } from '../../graphql/operations';
import { Card } from '../../components/Card';
import './lifecycle.css';

/** What each status means for the client's people and the service desk (docs/client-lifecycle.md). */
const STATUS_MEANING: Record<ClientStatus, string> = {
  ONBOARDING: 'Being set up. It becomes active when its IT lead first signs in.',
  ACTIVE: 'Its people sign in and raise requests; its tickets are in the queue.',
  SUSPENDED: 'Its people can’t sign in and its tickets are out of the queue until it is reactivated.',
  OFFBOARDED: 'Closed: nobody from the client can sign in and its data is read-only.',
};

type Move = { status: ClientStatus; label: string; confirm: string; effect: string; danger: boolean };

function moveTo(status: ClientStatus, from: ClientStatus, name: string): Move {
  switch (status) {
    case 'ACTIVE':
      return {
        status,
        label: from === 'SUSPENDED' ? 'Reactivate' : 'Activate',
        confirm: from === 'SUSPENDED' ? `Reactivate ${name}` : `Activate ${name}`,
        effect: `${name}’s people can sign in again, and its open tickets come back to the queue with their SLA clocks as they were.`,
        danger: false,
      };
    case 'SUSPENDED':
      return {
        status,
        label: 'Suspend',
        confirm: `Suspend ${name}`,
        effect: `${name}’s people can’t sign in (those signed in lose access at once), its tickets leave the technician queue and nobody is paged about them. You can reactivate it later.`,
        danger: true,
      };
    case 'OFFBOARDED':
      return {
        status,
        label: 'Offboard',
        confirm: `Offboard ${name}`,
        effect: `${name}’s people can’t sign in, its tickets leave the queue and its data becomes read-only for everyone. This can’t be undone here.`,
        danger: true,
      };
    default:
      return { status, label: status, confirm: status, effect: '', danger: false };
  }
}

/** MSP admins: move the client through its lifecycle, or delete one created by mistake. */
export function ClientLifecycleCard({ slug, onChanged }: { slug: string; onChanged: () => void }) {
  const q = useQuery<ClientLifecycleQuery, ClientLifecycleQueryVariables>(CLIENT_LIFECYCLE_QUERY, { slug });
  const [move, setMove] = useState<Move | null>(null);
  const [deleting, setDeleting] = useState(false);
  const client = q.data?.client;

  return (
    <Card headingId="lifecycle-heading" title="Status" className="lifecycle-card" testId="client-lifecycle">
      <div className="pad stack-sm">
        {q.error && !client ? (
          <Alert
            title="Couldn’t load the client’s status"
            action={
              <Button size="sm" onClick={() => void q.refetch()}>
                Retry
              </Button>
            }
          >
            {q.error.message}
          </Alert>
        ) : !client ? (
          <Skeleton width="70%" />
        ) : (
          <>
            <div className="row gap-sm">
              <StatusPill status={client.status} />
            </div>
            <p className="small muted" data-testid="lifecycle-meaning">
              {STATUS_MEANING[client.status]}
            </p>
            {client.allowedStatuses.length > 0 && (
              <div className="row gap-sm lifecycle-actions">
                {client.allowedStatuses.map((s) => {
                  const m = moveTo(s, client.status, client.name);
                  return (
                    <Button key={s} size="sm" variant={m.danger ? 'secondary' : 'primary'} onClick={() => setMove(m)} data-testid={`lifecycle-${s.toLowerCase()}`}>
                      {m.label}
                    </Button>
                  );
                })}
              </div>
            )}
            <div className="lifecycle-delete">
              {client.deletionBlockers.length > 0 ? (
                <p className="small muted" data-testid="delete-blocked">
                  Can’t be deleted: it holds {client.deletionBlockers.join(', ')}. Suspend or offboard it instead.
                </p>
              ) : (
                <>
                  <p className="small muted">Created by mistake? It holds no data yet, so it can be removed completely.</p>
                  <Button size="sm" variant="danger" onClick={() => setDeleting(true)} data-testid="client-delete">
                    Delete client
                  </Button>
                </>
              )}
            </div>
          </>
        )}
      </div>
      {move && client && (
        <StatusDialog
          slug={client.slug}
          move={move}
          onClose={() => setMove(null)}
          onDone={() => {
            setMove(null);
            void q.refetch();
            onChanged();
          }}
        />
      )}
      {deleting && client && <DeleteDialog slug={client.slug} name={client.name} onClose={() => setDeleting(false)} />}
    </Card>
  );
}

function StatusDialog({ slug, move, onClose, onDone }: { slug: string; move: Move; onClose: () => void; onDone: () => void }) {
  const [change, { loading, error }] = useMutation<ChangeClientStatusMutation, ChangeClientStatusMutationVariables>(CHANGE_CLIENT_STATUS_MUTATION);
  const [problems, setProblems] = useState<string[]>([]);

  async function confirm() {
    setProblems([]);
    const data = await change({ clientSlug: slug, status: move.status });
    if (!data) return;
    const p = data.changeClientStatus;
    if (p.errors.length > 0) {
      setProblems(p.errors.map((e) => e.message));
      return;
    }
    onDone();
  }

  const shown = [...problems, ...(error ? [error.message] : [])];
  return (
    <Modal
      title={`${move.confirm}?`}
      onClose={onClose}
      width={480}
      testId="lifecycle-dialog"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant={move.danger ? 'danger' : 'primary'} loading={loading} onClick={() => void confirm()} data-testid="lifecycle-confirm">
            {move.label}
          </Button>
        </>
      }
    >
      <div className="stack-sm">
        {shown.length > 0 && <Alert>{shown.join(' ')}</Alert>}
        <p>{move.effect}</p>
        <p className="small muted">The change is recorded in the audit log with your name.</p>
      </div>
    </Modal>
  );
}

function DeleteDialog({ slug, name, onClose }: { slug: string; name: string; onClose: () => void }) {
  const navigate = useNavigate();
  const [typed, setTyped] = useState('');
  const [remove, { loading, error }] = useMutation<DeleteClientMutation, DeleteClientMutationVariables>(DELETE_CLIENT_MUTATION);
  const [problems, setProblems] = useState<string[]>([]);
  const [fieldError, setFieldError] = useState<string | undefined>();

  async function confirm() {
    setProblems([]);
    setFieldError(undefined);
    const data = await remove({ clientSlug: slug, confirmSlug: typed.trim() });
    if (!data) return;
    const p = data.deleteClient;
    if (p.errors.length > 0) {
      setFieldError(p.errors.find((e) => e.field === 'confirmSlug')?.message);
      setProblems(p.errors.filter((e) => e.field !== 'confirmSlug').map((e) => e.message));
      return;
    }
    navigate('/clients', { replace: true, state: { deleted: name } });
  }

  const shown = [...problems, ...(error ? [error.message] : [])];
  return (
    <Modal
      title={`Delete ${name}?`}
      description="Its portal address, schema, memberships and invitations are removed for good. People’s accounts are kept."
      onClose={onClose}
      width={480}
      testId="delete-dialog"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="danger" loading={loading} disabled={typed.trim() !== slug} onClick={() => void confirm()} data-testid="delete-confirm">
            Delete {name}
          </Button>
        </>
      }
    >
      <div className="stack-sm">
        {shown.length > 0 && <Alert>{shown.join(' ')}</Alert>}
        <TextField
          label={`Type the client’s address, ${slug}, to confirm`}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          error={fieldError}
          autoComplete="off"
          spellCheck={false}
          data-testid="delete-confirm-slug"
        />
      </div>
    </Modal>
  );
}
