import { useState, type FormEvent } from 'react';
import { Card } from '../../components/Card';
import { QueryError } from '../../components/QueryError';
import { Alert, Badge, Button, Field, SelectField, Spinner, TextField } from '../../components/ui';
import type {
  BroadcastKind,
  BroadcastsQuery,
  BroadcastsQueryVariables,
  ClientRole,
  CreateBroadcastMutation,
  CreateBroadcastMutationVariables,
  SegmentsQuery,
} from '../../graphql/generated';
import { useMutation, useQuery } from '../../graphql/hooks';
import { BROADCASTS_QUERY, CREATE_BROADCAST_MUTATION, SEGMENTS_QUERY } from '../../graphql/operations';
import { formatDateTime } from '../../lib/format';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { errorText } from './outreach';
import './outreach.css';

export function BroadcastsPage() {
  useDocumentTitle('Broadcasts');
  const list = useQuery<BroadcastsQuery, BroadcastsQueryVariables>(BROADCASTS_QUERY, {});
  const segments = useQuery<SegmentsQuery>(SEGMENTS_QUERY);
  const [kind, setKind] = useState<BroadcastKind>('HOWTO');
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [segmentId, setSegmentId] = useState('');
  const [roles, setRoles] = useState<ClientRole[]>(['IT_LEAD']);
  const [publishAt, setPublishAt] = useState('');
  const [problem, setProblem] = useState('');
  const [create, creating] = useMutation<CreateBroadcastMutation, CreateBroadcastMutationVariables>(CREATE_BROADCAST_MUTATION);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setProblem('');
    const result = await create({
      input: {
        kind,
        title,
        body,
        emailRoles: roles,
        ...(segmentId ? { segmentId } : {}),
        ...(publishAt ? { publishAt: new Date(publishAt).toISOString() } : {}),
      },
    });
    if (!result) return;
    if (result.createBroadcast.errors.length) setProblem(errorText(result.createBroadcast.errors));
    else {
      setTitle('');
      setBody('');
      void list.refetch();
    }
  }

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title" data-testid="outreach-page">Broadcasts</h1>
          <p className="page-subtitle">How-tos and announcements on clients’ portals and by e-mail; suggested when a client starts a matching request.</p>
        </div>
      </div>
      <div className="outreach-grid">
        <Card headingId="broadcast-new" title="New broadcast">
          <form className="stack" onSubmit={(e) => void onSubmit(e)} noValidate aria-label="New broadcast">
            {problem && <Alert>{problem}</Alert>}
            <SelectField label="Kind" value={kind} onChange={(e) => setKind(e.target.value as BroadcastKind)}>
              <option value="HOWTO">How-to</option>
              <option value="ANNOUNCEMENT">Announcement</option>
            </SelectField>
            <TextField label="Title" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} data-testid="broadcast-title" />
            <Field label="Body (HTML: paragraphs, lists, links, bold; anything else is removed)">
              {({ id, describedBy }) => (
                <textarea id={id} className="textarea" rows={6} value={body} onChange={(e) => setBody(e.target.value)} aria-describedby={describedBy} data-testid="broadcast-body" />
              )}
            </Field>
            <SelectField label="To" value={segmentId} onChange={(e) => setSegmentId(e.target.value)}>
              <option value="">Every client</option>
              {segments.data?.segments?.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </SelectField>
            <fieldset className="stack">
              <legend>E-mail it to</legend>
              {(['IT_LEAD', 'MEMBER'] as ClientRole[]).map((r) => (
                <label key={r}>
                  <input type="checkbox" checked={roles.includes(r)} onChange={(e) => setRoles(e.target.checked ? [...roles, r] : roles.filter((x) => x !== r))} />{' '}
                  {r === 'IT_LEAD' ? 'IT leads' : 'Members'}
                </label>
              ))}
            </fieldset>
            <TextField label="Publish at" optional hint="Leave empty to publish now." type="datetime-local" value={publishAt} onChange={(e) => setPublishAt(e.target.value)} />
            <Button type="submit" variant="primary" loading={creating.loading} data-testid="broadcast-send">
              {publishAt ? 'Schedule' : 'Publish now'}
            </Button>
          </form>
        </Card>
        <Card headingId="broadcast-list" title="Broadcasts and deflection">
          {list.error && <QueryError title="Broadcasts can’t be loaded" error={list.error} onRetry={() => void list.refetch()} />}
          {list.loading && !list.data && <Spinner label="Loading broadcasts" />}
          <ul className="outreach-list">
            {list.data?.broadcasts?.map((b) => (
              <li key={b.id}>
                <div className="outreach-row-main">
                  <strong>{b.title}</strong> <Badge>{b.kind === 'HOWTO' ? 'How-to' : 'Announcement'}</Badge>{' '}
                  {!b.publishedAt && <Badge tone="blue">Scheduled {formatDateTime(b.publishAt)}</Badge>}
                  <div className="muted small">
                    {b.segmentName ?? 'Every client'} · {b.audienceSize ?? 0} clients
                    {b.deflection &&
                      ` · suggested ${b.deflection.suggested}×, solved ${b.deflection.solved}, abandoned ${b.deflection.abandoned}, submitted anyway ${b.deflection.submitted}` +
                        (b.deflection.rate !== null && b.deflection.rate !== undefined ? ` · deflection ${Math.round(b.deflection.rate * 100)} %` : '')}
                  </div>
                </div>
              </li>
            ))}
          </ul>
        </Card>
      </div>
    </div>
  );
}
