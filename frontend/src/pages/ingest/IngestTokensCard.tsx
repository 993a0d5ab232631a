import { useState } from 'react';
import { Card } from '../../components/Card';
import { Alert, Badge, Button, CopyButton, Modal, Skeleton, TextField } from '../../components/ui';
import type {
  CreateIngestTokenMutation,
  CreateIngestTokenMutationVariables,
  IngestTokenFieldsFragment,
  IngestTokensQuery,
  IngestTokensQueryVariables,
  RevokeIngestTokenMutation,
  RevokeIngestTokenMutationVariables,
} from '../../graphql/generated';
import { useMutation, useQuery } from '../../graphql/hooks';
import { CREATE_INGEST_TOKEN_MUTATION, INGEST_TOKENS_QUERY, REVOKE_INGEST_TOKEN_MUTATION } from '../../graphql/operations';
import { formatDateTime, formatRelative } from '../../lib/format';
import { ingestUrl, pythonExample } from './ingestExample';
import './ingest.css';

/**
 * MSP staff on the client page: the tokens the client's RMM pushes results with. Admins and
 * technicians create (the secret is shown once) and revoke them; account managers look.
 */
export function IngestTokensCard({ clientSlug, canManage }: { clientSlug: string; canManage: boolean }) {
  const q = useQuery<IngestTokensQuery, IngestTokensQueryVariables>(INGEST_TOKENS_QUERY, { clientSlug });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ token: IngestTokenFieldsFragment; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<IngestTokenFieldsFragment | null>(null);
  const tokens = q.data?.ingestTokens;
  const active = tokens?.filter((t) => t.isActive) ?? [];

  return (
    <Card
      headingId="ingest-heading"
      title="Ingest tokens"
      testId="ingest-tokens"
      aside={
        canManage && (
          <Button size="sm" onClick={() => setCreating(true)} data-testid="ingest-create">
            New token
          </Button>
        )
      }
    >
      <div className="pad stack-sm">
        <p className="small muted">
          The client’s RMM or agent pushes check results and device status to <span className="mono break">{ingestUrl()}</span>, signed
          with one of these tokens.
        </p>
        {q.error && !tokens ? (
          <Alert
            title="Couldn’t load the ingest tokens"
            action={
              <Button size="sm" onClick={() => void q.refetch()}>
                Retry
              </Button>
            }
          >
            {q.error.message}
          </Alert>
        ) : !tokens ? (
          <Skeleton width="70%" />
        ) : tokens.length === 0 ? (
          <p className="small" data-testid="ingest-empty">
            No token yet: nothing reports for this client.
          </p>
        ) : (
          <ul className="ingest-list">
            {tokens.map((t) => (
              <li key={t.id} className={t.isActive ? undefined : 'ingest-revoked'} data-testid="ingest-token">
                <div className="row gap-sm ingest-row">
                  <span className="strong">{t.name}</span>
                  {t.isActive ? <Badge tone="green">Active</Badge> : <Badge>Revoked</Badge>}
                </div>
                <div className="mono small break">{t.keyId}</div>
                <div className="small muted">
                  Created {formatDateTime(t.createdAt)}
                  {t.createdByName && <> by {t.createdByName}</>} ·{' '}
                  {t.lastUsedAt ? <>last batch {formatRelative(t.lastUsedAt)}</> : <>never used</>}
                  {t.revokedAt && (
                    <>
                      {' '}
                      · revoked {formatDateTime(t.revokedAt)}
                      {t.revokedByName && <> by {t.revokedByName}</>}
                    </>
                  )}
                </div>
                {canManage && t.isActive && (
                  <Button size="sm" variant="secondary" onClick={() => setRevoking(t)} data-testid="ingest-revoke">
                    Revoke<span className="sr-only"> {t.name}</span>
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
        {active.length > 0 && (
          <details className="ingest-example">
            <summary>Example request</summary>
            <ExampleCode code={pythonExample(active[0]!.keyId, '<the secret shown when the token was created>', ingestUrl())} />
          </details>
        )}
      </div>
      {creating && (
        <CreateDialog
          clientSlug={clientSlug}
          onClose={() => setCreating(false)}
          onCreated={(token, secret) => {
            setCreating(false);
            setCreated({ token, secret });
            void q.refetch();
          }}
        />
      )}
      {created && <SecretDialog token={created.token} secret={created.secret} onClose={() => setCreated(null)} />}
      {revoking && (
        <RevokeDialog
          token={revoking}
          onClose={() => setRevoking(null)}
          onDone={() => {
            setRevoking(null);
            void q.refetch();
          }}
        />
      )}
    </Card>
  );
}

function ExampleCode({ code }: { code: string }) {
  return (
    <div className="stack-sm">
      {/* Long lines scroll sideways inside this region, focusable so keyboard users can scroll it too. */}
      {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
      <div className="ingest-code-scroll" role="region" aria-label="Example request in Python" tabIndex={0}>
        <pre className="ingest-code">
          <code>{code}</code>
        </pre>
      </div>
      <CopyButton text={code} label="Copy example" />
    </div>
  );
}

function CreateDialog({
  clientSlug,
  onClose,
  onCreated,
}: {
  clientSlug: string;
  onClose: () => void;
  onCreated: (token: IngestTokenFieldsFragment, secret: string) => void;
}) {
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [create, { loading, error }] = useMutation<CreateIngestTokenMutation, CreateIngestTokenMutationVariables>(CREATE_INGEST_TOKEN_MUTATION);

  async function submit() {
    setProblem(null);
    const data = await create({ clientSlug, name });
    if (!data) return;
    const p = data.createIngestToken;
    if (p.errors.length > 0 || !p.token || !p.secret) {
      setProblem(p.errors.map((e) => e.message).join(' ') || 'The token was not created.');
      return;
    }
    onCreated(p.token, p.secret);
  }

  return (
    <Modal
      title="New ingest token"
      description="The secret is shown once, right after you create the token."
      onClose={onClose}
      testId="ingest-create-dialog"
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" loading={loading} onClick={() => void submit()} data-testid="ingest-create-confirm">
            Create token
          </Button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <TextField
          label="What will use it"
          hint="For example “Datto RMM” or “NinjaOne agent”."
          value={name}
          maxLength={80}
          onChange={(e) => setName(e.target.value)}
          error={problem}
          data-testid="ingest-name"
        />
      </form>
      {error && <Alert title="Couldn’t create the token">{error.message}</Alert>}
    </Modal>
  );
}

function SecretDialog({ token, secret, onClose }: { token: IngestTokenFieldsFragment; secret: string; onClose: () => void }) {
  return (
    <Modal
      title={`Token “${token.name}” created`}
      description="Copy the secret into the RMM now: it is not stored and can’t be shown again."
      onClose={onClose}
      width={680}
      testId="ingest-secret-dialog"
      footer={
        <Button variant="primary" onClick={onClose}>
          I have stored the secret
        </Button>
      }
    >
      <dl className="facts">
        <dt>Key (X-Ingest-Key)</dt>
        <dd className="row gap-sm">
          <span className="mono break" data-testid="ingest-new-key">
            {token.keyId}
          </span>
          <CopyButton text={token.keyId} />
        </dd>
        <dt>Secret</dt>
        <dd className="row gap-sm">
          <span className="mono break" data-testid="ingest-new-secret">
            {secret}
          </span>
          <CopyButton text={secret} />
        </dd>
      </dl>
      <ExampleCode code={pythonExample(token.keyId, secret, ingestUrl())} />
    </Modal>
  );
}

function RevokeDialog({ token, onClose, onDone }: { token: IngestTokenFieldsFragment; onClose: () => void; onDone: () => void }) {
  const [revoke, { loading, error }] = useMutation<RevokeIngestTokenMutation, RevokeIngestTokenMutationVariables>(REVOKE_INGEST_TOKEN_MUTATION);
  const [problem, setProblem] = useState<string | null>(null);

  async function confirm() {
    setProblem(null);
    const data = await revoke({ id: token.id });
    if (!data) return;
    if (data.revokeIngestToken.errors.length > 0) {
      setProblem(data.revokeIngestToken.errors.map((e) => e.message).join(' '));
      return;
    }
    onDone();
  }

  return (
    <Modal
      title={`Revoke “${token.name}”?`}
      description="Batches signed with it are refused from now on (401). To rotate, create the new token and switch the RMM over first."
      onClose={onClose}
      testId="ingest-revoke-dialog"
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            Keep it
          </Button>
          <Button variant="danger" loading={loading} onClick={() => void confirm()} data-testid="ingest-revoke-confirm">
            Revoke token
          </Button>
        </>
      }
    >
      <p className="mono small break">{token.keyId}</p>
      {(problem || error) && <Alert title="Couldn’t revoke the token">{problem ?? error?.message}</Alert>}
    </Modal>
  );
}
