import { Link } from 'react-router';
import { useViewer } from '../auth/ViewerContext';
import { homePath } from '../auth/roles';
import { useDocumentTitle } from '../lib/useDocumentTitle';

const HOME_LABEL: Record<string, string> = {
  '/queue': 'Go to the queue',
  '/clients': 'Go to clients',
  '/company': 'Go to my company',
};

export function NotFoundPage() {
  useDocumentTitle('Page not found');
  const { viewer } = useViewer();
  return (
    <div className="fullpage-center">
      <div className="notfound">
        <div className="notfound-code">404</div>
        <h1 className="page-title">Page not found</h1>
        <p className="muted">The page you’re looking for doesn’t exist or has moved.</p>
        <Link to={viewer ? homePath(viewer) : '/login'} className="btn btn-primary" data-testid="notfound-home">
          {viewer ? HOME_LABEL[homePath(viewer)] ?? 'Go home' : 'Go to sign in'}
        </Link>
      </div>
    </div>
  );
}
