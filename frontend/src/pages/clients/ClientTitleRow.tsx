import type { ReactNode } from 'react';
import { Badge, StatusPill, TierBadge } from '../../components/ui';
import type { ClientDetailFieldsFragment } from '../../graphql/generated';
import { INDUSTRY_LABEL } from '../../lib/enums';

/** A client's mark, name and status/tier/industry badges, as the staff's client page and the client's company page show them. */
export function ClientTitleRow({
  client,
  nameTestId,
  before,
  after,
}: {
  client: Pick<ClientDetailFieldsFragment, 'name' | 'status' | 'tier' | 'industry'>;
  nameTestId: string;
  /** Shown in the meta line before the badges. */
  before?: ReactNode;
  /** Shown in the meta line after the badges. */
  after?: ReactNode;
}) {
  return (
    <div className="detail-title-row">
      <div className="client-mark" aria-hidden="true">
        {client.name.slice(0, 1).toUpperCase()}
      </div>
      <div>
        <h1 className="page-title" data-testid={nameTestId}>
          {client.name}
        </h1>
        <div className="detail-meta">
          {before}
          <StatusPill status={client.status} />
          <TierBadge tier={client.tier} />
          <Badge>{INDUSTRY_LABEL[client.industry]}</Badge>
          {after}
        </div>
      </div>
    </div>
  );
}
