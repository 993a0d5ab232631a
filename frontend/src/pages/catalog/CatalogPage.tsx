import { useViewer } from '../../auth/ViewerContext';
import { CardsSkeleton } from '../../components/CardsSkeleton';
import { Badge } from '../../components/ui';
import type { SlaCatalogQuery } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { CalendarsSection } from './CalendarsSection';
import { PoliciesSection } from './PoliciesSection';
import { TriageMatrix } from './TriageMatrix';
import { SLA_CATALOG_QUERY } from '../../graphql/operations';
import './catalog.css';
import { QueryError } from '../../components/QueryError';

/** /catalog — business calendars, SLA policy targets and the triage matrix. MSP admins edit; other staff read. */
export function CatalogPage() {
  useDocumentTitle('SLA catalog');
  const { viewer } = useViewer();
  const canEdit = viewer?.mspRole === 'ADMIN';
  const q = useQuery<SlaCatalogQuery>(SLA_CATALOG_QUERY);
  const catalog = q.data?.slaCatalog;
  const refetch = () => void q.refetch();

  return (
    <div className="page catalog-page">
      <div className="page-header">
        <div>
          <h1 className="page-title">SLA catalog</h1>
          <p className="page-subtitle">Business calendars, SLA policy targets and the triage matrix used for every client.</p>
        </div>
        {!canEdit && (
          <Badge>
            <span data-testid="catalog-read-only" title="Only MSP admins can change the catalog">
              Read only
            </span>
          </Badge>
        )}
      </div>

      {q.error && !catalog ? (
        <QueryError title="Couldn’t load the SLA catalog" error={q.error} onRetry={refetch} />
      ) : !catalog ? (
        <CardsSkeleton
          label="Loading the SLA catalog"
          cards={[
            [{ width: '40%' }, { width: '70%' }, { width: '60%' }],
            [{ width: '30%' }, { height: 120 }],
          ]}
        />
      ) : (
        <div className="stack catalog-sections">
          <CalendarsSection calendars={catalog.calendars} policies={catalog.policies} canEdit={canEdit} onChanged={refetch} />
          <PoliciesSection policies={catalog.policies} calendars={catalog.calendars} canEdit={canEdit} onSaved={refetch} />
          <TriageMatrix cells={catalog.triageMatrix} canEdit={canEdit} />
        </div>
      )}
    </div>
  );
}
