import { useState, type FormEvent } from 'react';
import { Card } from '../../components/Card';
import { QueryError } from '../../components/QueryError';
import { Alert, Button, SelectField, Spinner, TextField } from '../../components/ui';
import type {
  SaveSegmentMutation,
  SaveSegmentMutationVariables,
  SegmentClientsQuery,
  SegmentClientsQueryVariables,
  SegmentsQuery,
} from '../../graphql/generated';
import { useMutation, useQuery } from '../../graphql/hooks';
import { SAVE_SEGMENT_MUTATION, SEGMENTS_QUERY, SEGMENT_CLIENTS_QUERY } from '../../graphql/operations';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { errorText } from './outreach';
import './outreach.css';

/** Rule fields a segment can use (the server refuses any other with UNKNOWN_FIELD). */
export const SEGMENT_FIELDS = [
  { value: 'industry', label: 'Industry', hint: 'e.g. retail, healthcare' },
  { value: 'tier', label: 'Tier', hint: 'premium, standard, essential' },
  { value: 'healthBand', label: 'Health band', hint: 'healthy, watch, atRisk, noData' },
  { value: 'location', label: 'Location (time zone)', hint: 'e.g. Europe/ or Europe/London' },
  { value: 'status', label: 'Status', hint: 'onboarding, active' },
  { value: 'size', label: 'Size (portal users)', hint: 'a range: min–max' },
] as const;

type Rule = { field: string; text: string };

/** "10-50" → {min: 10, max: 50}; "10-" → {min: 10}. */
export function sizeRange(text: string): { min?: number; max?: number } {
  const [low, high] = text.split('-').map((p) => p.trim());
  return {
    ...(low ? { min: Number(low) } : {}),
    ...(high ? { max: Number(high) } : {}),
  };
}

export function SegmentsPage() {
  useDocumentTitle('Segments');
  const { data, error, loading, refetch } = useQuery<SegmentsQuery>(SEGMENTS_QUERY);
  const [name, setName] = useState('');
  const [rules, setRules] = useState<Rule[]>([{ field: 'industry', text: '' }]);
  const [problem, setProblem] = useState('');
  const [saved, setSaved] = useState('');
  const [save, saving] = useMutation<SaveSegmentMutation, SaveSegmentMutationVariables>(SAVE_SEGMENT_MUTATION);
  const [open, setOpen] = useState<string | null>(null);
  const members = useQuery<SegmentClientsQuery, SegmentClientsQueryVariables>(SEGMENT_CLIENTS_QUERY, { id: open ?? '' }, { skip: !open });

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setProblem('');
    setSaved('');
    const result = await save({
      input: {
        name,
        rules: rules.map((r) =>
          r.field === 'size'
            ? { field: r.field, ...sizeRange(r.text) }
            : { field: r.field, values: r.text.split(',').map((v) => v.trim()).filter(Boolean) },
        ),
      },
    });
    if (!result) return;
    if (result.saveSegment.errors.length) setProblem(errorText(result.saveSegment.errors));
    else {
      setSaved(`Saved: ${result.saveSegment.clientCount} clients match now.`);
      setName('');
      void refetch();
    }
  }

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title" data-testid="outreach-page">Segments</h1>
          <p className="page-subtitle">Saved sets of clients, evaluated live whenever they are used.</p>
        </div>
      </div>
      <div className="outreach-grid">
        <Card headingId="segment-new" title="New segment">
          <form className="stack" onSubmit={(e) => void onSubmit(e)} noValidate aria-label="New segment">
            {problem && <Alert>{problem}</Alert>}
            {saved && <Alert tone="success">{saved}</Alert>}
            <TextField label="Name" value={name} maxLength={120} onChange={(e) => setName(e.target.value)} data-testid="segment-name" />
            {rules.map((rule, index) => (
              <div className="form-grid" key={index}>
                <SelectField
                  label={`Rule ${index + 1}: field`}
                  value={rule.field}
                  onChange={(e) => setRules(rules.map((r, i) => (i === index ? { ...r, field: e.target.value } : r)))}
                >
                  {SEGMENT_FIELDS.map((f) => (
                    <option key={f.value} value={f.value}>
                      {f.label}
                    </option>
                  ))}
                </SelectField>
                <TextField
                  label={`Rule ${index + 1}: values`}
                  hint={SEGMENT_FIELDS.find((f) => f.value === rule.field)?.hint}
                  value={rule.text}
                  onChange={(e) => setRules(rules.map((r, i) => (i === index ? { ...r, text: e.target.value } : r)))}
                  data-testid={`segment-rule-${index}`}
                />
              </div>
            ))}
            <div className="form-actions">
              <Button onClick={() => setRules([...rules, { field: 'tier', text: '' }])}>Add a rule</Button>
              <Button type="submit" variant="primary" loading={saving.loading} data-testid="segment-save">
                Save segment
              </Button>
            </div>
          </form>
        </Card>
        <Card headingId="segment-list" title="Saved segments">
          {error && <QueryError title="Segments can’t be loaded" error={error} onRetry={() => void refetch()} />}
          {loading && !data && <Spinner label="Loading segments" />}
          <ul className="outreach-list">
            {data?.segments?.map((s) => (
              <li key={s.id}>
                <div className="outreach-row-main">
                  <strong>{s.name}</strong>
                  <div className="muted small">
                    {s.rules
                      .map((r) => `${r.field}: ${r.values.length ? r.values.join(', ') : `${r.min ?? ''}–${r.max ?? ''}`}`)
                      .join(' and ')}
                  </div>
                  {open === s.id && members.data?.segmentClients && (
                    <p className="small">{members.data.segmentClients.map((c) => c.name).join(', ') || 'No client matches now.'}</p>
                  )}
                </div>
                <Button size="sm" onClick={() => setOpen(open === s.id ? null : s.id)} aria-expanded={open === s.id}>
                  {open === s.id ? 'Hide clients' : 'Show clients'}
                </Button>
              </li>
            ))}
          </ul>
        </Card>
      </div>
    </div>
  );
}
