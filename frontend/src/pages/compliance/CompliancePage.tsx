import { useViewer } from '../../auth/ViewerContext';
import { EmptyState } from '../../components/ui';
import { clientUserSlug } from '../../lib/tickets';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { ComplianceSection } from './ComplianceSection';

/** Client users: how the MSP kept its SLA promises, month by month. */
export function CompliancePage() {
  useDocumentTitle('SLA compliance');
  const { viewer } = useViewer();
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
          <h1 className="page-title">SLA compliance</h1>
          <p className="page-subtitle">How often your MSP answered and resolved requests within the agreed times.</p>
        </div>
      </div>
      <ComplianceSection clientSlug={clientUserSlug(viewer)} title="Month by month" />
    </div>
  );
}
