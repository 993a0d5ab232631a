import { Route, Routes, useLocation } from 'react-router';
import { AcceptInvitationPage } from './auth/AcceptInvitationPage';
import { LoginPage } from './auth/LoginPage';
import { useViewer } from './auth/ViewerContext';
import { ErrorBoundary } from './components/ErrorBoundary';
import { Logo } from './components/Logo';
import { Spinner } from './components/ui';
import { ClientUsersOnly, HomeRedirect, RequireViewer, StaffOnly } from './layout/guards';
import { Shell } from './layout/Shell';
import { AssetsPage } from './pages/assets/AssetsPage';
import { MfaPage } from './pages/assets/MfaPage';
import { CatalogPage } from './pages/catalog/CatalogPage';
import { ClientDetailPage } from './pages/clients/ClientDetailPage';
import { ClientsPage } from './pages/clients/ClientsPage';
import { CompanyPage } from './pages/company/CompanyPage';
import { CompliancePage } from './pages/compliance/CompliancePage';
import { BillingPage } from './pages/billing/BillingPage';
import { BillingRunPage } from './pages/billing/BillingRunPage';
import { InvoicesPage } from './pages/billing/InvoicesPage';
import { QueuePage } from './pages/queue/QueuePage';
import { DownNowPage } from './pages/monitoring/DownNowPage';
import { RequestsPage } from './pages/requests/RequestsPage';
import { StatusPage } from './pages/status/StatusPage';
import { TicketPage } from './pages/tickets/TicketPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { CampaignPage } from './pages/security/CampaignPage';
import { ClientIncidentsPage } from './pages/security/ClientIncidentsPage';
import { IncidentPage } from './pages/security/IncidentPage';
import { PhishingReportPage } from './pages/security/PhishingReportPage';
import { ReportPhishingPage } from './pages/security/ReportPhishingPage';
import { StaffClientSecurityPage } from './pages/security/StaffClientSecurityPage';
import { StaffSecurityPage } from './pages/security/StaffSecurityPage';
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
        <Route path="security" element={<StaffOnly><StaffSecurityPage /></StaffOnly>} />
        <Route path="security/:slug" element={<StaffOnly><StaffClientSecurityPage /></StaffOnly>} />
        <Route path="security/:clientSlug/incidents/:number" element={<StaffOnly><IncidentPage /></StaffOnly>} />
        <Route path="security/:slug/phishing/:id" element={<StaffOnly><CampaignPage /></StaffOnly>} />
        <Route path="incidents" element={<ClientUsersOnly><ClientIncidentsPage /></ClientUsersOnly>} />
        <Route path="incidents/:number" element={<ClientUsersOnly><IncidentPage /></ClientUsersOnly>} />
        <Route path="phishing" element={<ClientUsersOnly><ReportPhishingPage /></ClientUsersOnly>} />
        <Route path="phishing/:id" element={<ClientUsersOnly><PhishingReportPage /></ClientUsersOnly>} />
        <Route
          path="down-now"
          element={
            <StaffOnly>
              <DownNowPage />
            </StaffOnly>
          }
        />
        <Route
          path="billing"
          element={
            <StaffOnly>
              <BillingPage />
            </StaffOnly>
          }
        />
        <Route
          path="billing/runs/:id"
          element={
            <StaffOnly>
              <BillingRunPage />
            </StaffOnly>
          }
        />
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
          path="devices"
          element={
            <ClientUsersOnly>
              <AssetsPage />
            </ClientUsersOnly>
          }
        />
        <Route
          path="mfa"
          element={
            <ClientUsersOnly>
              <MfaPage />
            </ClientUsersOnly>
          }
        />
        <Route
          path="status"
          element={
            <ClientUsersOnly>
              <StatusPage />
            </ClientUsersOnly>
          }
        />
        <Route
          path="invoices"
          element={
            <ClientUsersOnly>
              <InvoicesPage />
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
