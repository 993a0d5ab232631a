import { Link } from 'react-router';
import { Card } from '../../components/Card';
import { QueryError } from '../../components/QueryError';
import { Badge, EmptyState, Spinner } from '../../components/ui';
import type { BoardSection, OutreachBoardQuery } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { OUTREACH_BOARD_QUERY } from '../../graphql/operations';
import { formatDate, formatRelative } from '../../lib/format';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { FollowUpList } from './FollowUpList';
import { BAND_LABEL, BAND_TONE, SECTION_LABEL } from './outreach';
import './outreach.css';

const SECTIONS: BoardSection[] = ['OVERDUE', 'DUE_THIS_WEEK', 'UPCOMING'];

/** The account manager's board: who to check in with, riskiest first. */
export function BoardPage() {
  useDocumentTitle('Outreach board');
  const { data, error, loading, refetch } = useQuery<OutreachBoardQuery>(OUTREACH_BOARD_QUERY);
  const board = data?.outreachBoard;
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title" data-testid="outreach-page">Outreach board</h1>
          <p className="page-subtitle">Your clients by when the next check-in is due, the riskiest first.</p>
        </div>
      </div>
      {error && <QueryError title="The board can’t be loaded" error={error} onRetry={() => void refetch()} />}
      {loading && !board && <Spinner label="Loading the board" />}
      {board && (
        <div className="outreach-grid">
          {SECTIONS.map((section) => {
            const rows = board.clients.filter((c) => c.section === section);
            return (
              <Card
                key={section}
                headingId={`board-${section}`}
                title={`${SECTION_LABEL[section]} (${rows.length})`}
                testId={`board-${section.toLowerCase()}`}
              >
                {rows.length === 0 ? (
                  <p className="muted">Nobody here.</p>
                ) : (
                  <ul className="outreach-list">
                    {rows.map((c) => (
                      <li key={c.slug}>
                        <div className="outreach-row-main">
                          <Link to={`/outreach/clients/${encodeURIComponent(c.slug)}`}>{c.name}</Link>{' '}
                          <Badge tone={BAND_TONE[c.healthBand]}>
                            {c.healthScore ?? '—'} · {BAND_LABEL[c.healthBand]}
                          </Badge>
                          <div className="muted small">
                            {c.section === 'OVERDUE' ? `${c.daysOverdue} days overdue` : `Due ${formatDate(c.nextDueOn)}`}
                            {' · last '}
                            {c.lastCheckInAt ? formatRelative(c.lastCheckInAt) : 'never'}
                            {c.nextPlannedAt && ` · planned ${formatDate(c.nextPlannedAt)}`}
                            {c.openFollowUps > 0 && ` · ${c.openFollowUps} open follow-ups`}
                          </div>
                        </div>
                      </li>
                    ))}
                  </ul>
                )}
              </Card>
            );
          })}
          <Card headingId="board-follow-ups" title={`Your follow-ups (${board.followUps.length})`}>
            <FollowUpList followUps={board.followUps} onChanged={() => void refetch()} showClient />
          </Card>
        </div>
      )}
      {board && board.clients.length === 0 && (
        <EmptyState title="No clients in your book">An MSP admin assigns clients to their account manager.</EmptyState>
      )}
    </div>
  );
}
