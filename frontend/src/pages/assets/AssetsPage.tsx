import { useViewer } from '../../auth/ViewerContext';
import { roleInClient, defaultClientSlug } from '../../auth/roles';
import { EmptyState } from '../../components/ui';
import { clientUserSlug } from '../../lib/tickets';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { DevicesSection } from './DevicesSection';
import { SitesSection } from './SitesSection';
import './assets.css';

/** Client users: the sites and devices the MSP looks after (IT leads all; members their own). */
export function AssetsPage() {
  useDocumentTitle('Devices & sites');
  const { viewer } = useViewer();
  if (!viewer?.currentClient && !viewer?.memberships.length) {
    return (
      <div className="page">
        <EmptyState title="You’re not part of a company yet">Ask your company’s IT lead or your MSP to invite you.</EmptyState>
      </div>
    );
  }
  const isLead = roleInClient(viewer, defaultClientSlug(viewer)) === 'IT_LEAD';
  const slug = clientUserSlug(viewer);
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title">Devices &amp; sites</h1>
          <p className="page-subtitle">
            {isLead
              ? 'Everything your MSP manages for your company, with its protection and patch state. Ask your MSP to change anything here.'
              : 'The devices you use and your home office, as your MSP manages them.'}
          </p>
        </div>
      </div>
      <div className="asset-stack">
        <DevicesSection clientSlug={slug} canEdit={false} canFilterByOwner={isLead} />
        <SitesSection clientSlug={slug} canEdit={false} />
      </div>
    </div>
  );
}
