import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Card } from '../../components/Card';
import { QueryError } from '../../components/QueryError';
import { Alert, Button, SelectField, Spinner, TextField } from '../../components/ui';
import type {
  CampaignTaskStatus,
  CampaignsQuery,
  CreateCampaignMutation,
  CreateCampaignMutationVariables,
  SegmentsQuery,
  UpdateCampaignTaskMutation,
  UpdateCampaignTaskMutationVariables,
} from '../../graphql/generated';
import { useMutation, useQuery } from '../../graphql/hooks';
import { CAMPAIGNS_QUERY, CREATE_CAMPAIGN_MUTATION, SEGMENTS_QUERY, UPDATE_CAMPAIGN_TASK_MUTATION } from '../../graphql/operations';
import { formatDate } from '../../lib/format';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { errorText, todayIso } from './outreach';
import './outreach.css';

const STATUS_LABEL: Record<CampaignTaskStatus, string> = {
  PENDING: 'To contact',
  CONTACTED: 'Contacted',
  RESPONDED: 'Responded',
  FOLLOW_UP_NEEDED: 'Follow-up needed',
};

export function CampaignsPage() {
  useDocumentTitle('Campaigns');
  const campaigns = useQuery<CampaignsQuery>(CAMPAIGNS_QUERY);
  const segments = useQuery<SegmentsQuery>(SEGMENTS_QUERY);
  const [name, setName] = useState('');
  const [segmentId, setSegmentId] = useState('');
  const [brief, setBrief] = useState('');
  const [dueOn, setDueOn] = useState('');
  const [problem, setProblem] = useState('');
  const [create, creating] = useMutation<CreateCampaignMutation, CreateCampaignMutationVariables>(CREATE_CAMPAIGN_MUTATION);
  const [update] = useMutation<UpdateCampaignTaskMutation, UpdateCampaignTaskMutationVariables>(UPDATE_CAMPAIGN_TASK_MUTATION);
  const [responses, setResponses] = useState<Record<string, string>>({});

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setProblem('');
    const result = await create({ input: { name, segmentId, brief, dueOn } });
    if (!result) return;
    if (result.createCampaign.errors.length) setProblem(errorText(result.createCampaign.errors));
    else {
      setName('');
      setBrief('');
      void campaigns.refetch();
    }
  }

  async function setStatus(taskId: string, status: CampaignTaskStatus) {
    setProblem('');
    const result = await update({ input: { taskId, status, response: responses[taskId] ?? '' } });
    if (result?.updateCampaignTask.errors.length) setProblem(errorText(result.updateCampaignTask.errors));
    else void campaigns.refetch();
  }

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title" data-testid="outreach-page">Campaigns</h1>
          <p className="page-subtitle">Reach out to every client of a segment; each account manager gets their clients as tasks.</p>
        </div>
      </div>
      {problem && <Alert>{problem}</Alert>}
      <div className="outreach-grid">
        <Card headingId="campaign-new" title="New campaign">
          <form className="stack" onSubmit={(e) => void onSubmit(e)} noValidate aria-label="New campaign">
            <TextField label="Name" value={name} maxLength={120} onChange={(e) => setName(e.target.value)} data-testid="campaign-name" />
            <SelectField label="Segment" value={segmentId} onChange={(e) => setSegmentId(e.target.value)} data-testid="campaign-segment">
              <option value="">Choose a segment</option>
              {segments.data?.segments?.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </SelectField>
            <TextField label="What to talk about" optional value={brief} onChange={(e) => setBrief(e.target.value)} />
            <TextField label="Due" type="date" min={todayIso()} value={dueOn} onChange={(e) => setDueOn(e.target.value)} data-testid="campaign-due" />
            <Button type="submit" variant="primary" loading={creating.loading} data-testid="campaign-create">
              Create the tasks
            </Button>
          </form>
        </Card>
        {campaigns.error && <QueryError title="Campaigns can’t be loaded" error={campaigns.error} onRetry={() => void campaigns.refetch()} />}
        {campaigns.loading && !campaigns.data && <Spinner label="Loading campaigns" />}
        {campaigns.data?.campaigns?.map((c) => (
          <Card key={c.id} headingId={`campaign-${c.id}`} title={c.name} testId="campaign">
            <p className="small">
              {c.segmentName ?? 'Segment removed'} · due {formatDate(c.dueOn)} · {c.progress.total} clients: {c.progress.contacted} contacted,{' '}
              {c.progress.responded} responded, {c.progress.followUpNeeded} need a follow-up, {c.progress.pending} to contact
            </p>
            {c.brief && <p className="small">{c.brief}</p>}
            <ul className="outreach-list">
              {c.tasks.map((t) => (
                <li key={t.id}>
                  <div className="outreach-row-main">
                    <Link to={`/outreach/clients/${encodeURIComponent(t.clientSlug)}`}>{t.clientName}</Link> · {STATUS_LABEL[t.status]}
                    {t.response && <div className="small">“{t.response}”</div>}
                    <TextField
                      label={`Response of ${t.clientName}`}
                      optional
                      value={responses[t.id] ?? ''}
                      onChange={(e) => setResponses({ ...responses, [t.id]: e.target.value })}
                    />
                  </div>
                  <div className="outreach-row-actions">
                    {(['CONTACTED', 'RESPONDED', 'FOLLOW_UP_NEEDED'] as CampaignTaskStatus[]).map((s) => (
                      <Button key={s} size="sm" onClick={() => void setStatus(t.id, s)} disabled={t.status === s}>
                        {STATUS_LABEL[s]}
                      </Button>
                    ))}
                  </div>
                </li>
              ))}
            </ul>
          </Card>
        ))}
      </div>
    </div>
  );
}
