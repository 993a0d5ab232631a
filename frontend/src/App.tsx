import { Route, Routes, useLocation } from 'react-router';
import { AcceptInvitationPage } from './auth/AcceptInvitationPage';
import { LoginPage } from './auth/LoginPage';
import { useViewer } from './auth/ViewerContext';
import { ErrorBoundary } from './components/ErrorBoundary';
import { Logo } from './components/Logo';
import { Spinner } from './components/ui';
import { ClientUsersOnly, HomeRedirect, RequireViewer, StaffOnly } from './layout/guards';
import { Shell } from './layout/Shell';
import { CatalogPage } from './pages/catalog/CatalogPage';
import { ClientDetailPage } from './pages/clients/ClientDetailPage';
import { ClientsPage } from './pages/clients/ClientsPage';
import { CompanyPage } from './pages/company/CompanyPage';
import { CompliancePage } from './pages/compliance/CompliancePage';
import { QueuePage } from './pages/queue/QueuePage';
import { RequestsPage } from './pages/requests/RequestsPage';
import { TicketPage } from './pages/tickets/TicketPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { BoardPage } from './pages/outreach/BoardPage';
import { BroadcastsPage } from './pages/outreach/BroadcastsPage';
import { CampaignsPage } from './pages/outreach/CampaignsPage';
import { ClientOutreachPage } from './pages/outreach/ClientOutreachPage';
import { NewsPage } from './pages/outreach/NewsPage';
import { SegmentsPage } from './pages/outreach/SegmentsPage';
import { QueryError } from './components/QueryError';
import './App.css';

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/invite/:token" element={<AcceptInvitationPage />} />
      <Route
        element={
          <RequireViewer>
            <Shell />
          </RequireViewer>
        }
      >
        <Route index element={<HomeRedirect />} />
        <Route
          path="queue"
          element={
            <StaffOnly>
              <QueuePage />
            </StaffOnly>
          }
        />
        <Route
          path="tickets/:clientSlug/:number"
          element={
            <StaffOnly>
              <TicketPage />
            </StaffOnly>
          }
        />
        <Route
          path="clients"
          element={
            <StaffOnly>
              <ClientsPage />
            </StaffOnly>
          }
        />
        <Route
          path="clients/:slug"
          element={
            <StaffOnly>
              <ClientDetailPage />
            </StaffOnly>
          }
        />
        <Route path="catalog" element={<StaffOnly><CatalogPage /></StaffOnly>} />
        <Route path="outreach" element={<StaffOnly><BoardPage /></StaffOnly>} />
        <Route path="outreach/clients/:slug" element={<StaffOnly><ClientOutreachPage /></StaffOnly>} />
        <Route path="outreach/segments" element={<StaffOnly><SegmentsPage /></StaffOnly>} />
        <Route path="outreach/campaigns" element={<StaffOnly><CampaignsPage /></StaffOnly>} />
        <Route path="outreach/broadcasts" element={<StaffOnly><BroadcastsPage /></StaffOnly>} />
        <Route path="news" element={<ClientUsersOnly><NewsPage /></ClientUsersOnly>} />
        <Route
          path="company"
          element={
            <ClientUsersOnly>
              <CompanyPage />
            </ClientUsersOnly>
          }
        />
        <Route
          path="company/:slug"
          element={
            <ClientUsersOnly>
              <CompanyPage />
            </ClientUsersOnly>
          }
        />
        <Route
          path="requests"
          element={
            <ClientUsersOnly>
              <RequestsPage />
            </ClientUsersOnly>
          }
        />
        <Route
          path="requests/:number"
          element={
            <ClientUsersOnly>
              <TicketPage />
            </ClientUsersOnly>
          }
        />
        <Route
          path="compliance"
          element={
            <ClientUsersOnly>
              <CompliancePage />
            </ClientUsersOnly>
          }
        />
      </Route>
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}

/** Waits for the first `viewer` answer, then renders the routes. */
export function App() {
  const { loading, error, refresh } = useViewer();
  const location = useLocation();

  if (loading) {
    return (
      <div className="fullpage-center" aria-busy="true">
        <div className="boot">
          <Logo size={28} withText={false} />
          <Spinner size={18} label="Loading" />
        </div>
      </div>
    );
  }
  if (error) {
    return (
      <div className="fullpage-center">
        <div className="boot-error">
          <Logo size={28} />
          <QueryError title="The portal can’t start" error={error} onRetry={refresh} />
        </div>
      </div>
    );
  }
  return (
    <ErrorBoundary resetKey={location.pathname}>
      <AppRoutes />
    </ErrorBoundary>
  );
}
