import { useViewer } from '../../auth/ViewerContext';
import { Card } from '../../components/Card';
import { QueryError } from '../../components/QueryError';
import { Badge, EmptyState, Spinner } from '../../components/ui';
import type { BroadcastsQuery, BroadcastsQueryVariables, QbrReportsQuery, QbrReportsQueryVariables } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { BROADCASTS_QUERY, QBR_REPORTS_QUERY } from '../../graphql/operations';
import { formatDate } from '../../lib/format';
import { clientUserSlug } from '../../lib/tickets';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import './outreach.css';

/** Client users: the MSP's broadcasts and how-tos for their company; IT leads also get the QBR packs. */
export function NewsPage() {
  useDocumentTitle('News and reviews');
  const { viewer } = useViewer();
  const slug = clientUserSlug(viewer);
  const currentSlug = viewer?.currentClient?.slug ?? slug;
  const isItLead = viewer?.memberships.some((m) => m.client.slug === currentSlug && m.role === 'IT_LEAD') ?? false;
  const news = useQuery<BroadcastsQuery, BroadcastsQueryVariables>(BROADCASTS_QUERY, slug ? { clientSlug: slug } : {});
  const reviews = useQuery<QbrReportsQuery, QbrReportsQueryVariables>(QBR_REPORTS_QUERY, slug ? { clientSlug: slug } : {}, { skip: !isItLead });
  if (!viewer?.currentClient && !viewer?.memberships.length) {
    return (
      <div className="page">
        <EmptyState title="You’re not part of a company yet">Ask your company’s IT lead or your MSP to invite you.</EmptyState>
      </div>
    );
  }
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title" data-testid="outreach-page">News and reviews</h1>
          <p className="page-subtitle">Announcements and how-tos from your MSP.</p>
        </div>
      </div>
      <div className="outreach-grid">
        <Card headingId="news-list" title="From your MSP" testId="news">
          {news.error && <QueryError title="News can’t be loaded" error={news.error} onRetry={() => void news.refetch()} />}
          {news.loading && !news.data && <Spinner label="Loading news" />}
          {news.data?.broadcasts?.length === 0 && <p className="muted">Nothing yet.</p>}
          <ul className="outreach-list">
            {news.data?.broadcasts?.map((b) => (
              <li key={b.id}>
                <article className="outreach-row-main" aria-labelledby={`news-${b.id}`}>
                  <h3 id={`news-${b.id}`}>
                    {b.title} <Badge>{b.kind === 'HOWTO' ? 'How-to' : 'Announcement'}</Badge>
                  </h3>
                  <p className="muted small">{formatDate(b.publishedAt)}</p>
                  {/* Sanitised by the server (nh3 allow-list) before it was stored. */}
                  <div className="outreach-broadcast-body" dangerouslySetInnerHTML={{ __html: b.bodyHtml }} />
                </article>
              </li>
            ))}
          </ul>
        </Card>
        {isItLead && (
          <Card headingId="news-qbr" title="Quarterly business reviews" testId="qbr-packs">
            {reviews.error && <QueryError title="Reviews can’t be loaded" error={reviews.error} onRetry={() => void reviews.refetch()} />}
            {reviews.data?.qbrReports?.length === 0 && <p className="muted">No review pack yet.</p>}
            <ul className="outreach-list">
              {reviews.data?.qbrReports
                ?.filter((r) => r.downloadUrl)
                .map((r) => (
                  <li key={r.id}>
                    <span>
                      {formatDate(r.periodStart)} – {formatDate(r.periodEnd)}
                    </span>
                    <a className="btn btn-secondary btn-sm" href={r.downloadUrl ?? undefined} download>
                      Download PDF
                    </a>
                  </li>
                ))}
            </ul>
          </Card>
        )}
      </div>
    </div>
  );
}
