import { useViewer } from '../../auth/ViewerContext';
import { EmptyState } from '../../components/ui';
import { clientUserSlug } from '../../lib/tickets';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { StatusView } from './StatusView';

/** Client users: the live status of the services the MSP runs for their company (the IT lead's home). */
export function StatusPage() {
  useDocumentTitle('Status');
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
          <h1 className="page-title">Status</h1>
          <p className="page-subtitle">The services your MSP runs for you, live.</p>
        </div>
      </div>
      <StatusView clientSlug={clientUserSlug(viewer)} />
    </div>
  );
}
