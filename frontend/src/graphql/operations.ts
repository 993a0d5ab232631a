/**
 * Every GraphQL document the SPA sends, in one file, grouped by feature (section comments).
 *
 * Conventions (frontend/README.md):
 * - Each document is a template string tagged with the `/* GraphQL *\/` magic comment, exported
 *   as SCREAMING_CASE: `<NAME>_QUERY`, `<NAME>_MUTATION`, `<NAME>_FIELDS` for a fragment.
 *   `graphql-codegen` plucks them and generates `<Name>Query` / `<Name>Mutation` /
 *   `<Name>Fragment` / `...Variables` types into `generated.ts`.
 * - Fragments are declared before the documents that use them and interpolated (`${...}`) after
 *   the document, once per fragment it needs (also nested ones): codegen sees every fragment
 *   globally (the plucker skips `${}`), and the server gets the fragment text inline.
 * - Every mutation selects its typed errors through its app's error fragment,
 *   `errors { ...<App>ErrorFields }` (`field`, `code`, `message`); each app has its own error
 *   type with its own code enum, so there is one such fragment per error type, declared here.
 */

// ------------------------------------------------------------- mutation errors

export const AUTH_ERROR_FIELDS = /* GraphQL */ `
  fragment AuthErrorFields on AuthError {
    field
    code
    message
  }
`;

export const CLIENT_ERROR_FIELDS = /* GraphQL */ `
  fragment ClientErrorFields on ClientError {
    field
    code
    message
  }
`;

export const SECURITY_ERROR_FIELDS = /* GraphQL */ `
  fragment SecurityErrorFields on SecurityError {
    field
    code
    message
  }
`;

export const SUPPORT_ERROR_FIELDS = /* GraphQL */ `
  fragment SupportErrorFields on SupportError {
    field
    code
    message
  }
`;

export const CATALOG_ERROR_FIELDS = /* GraphQL */ `
  fragment CatalogErrorFields on CatalogError {
    field
    code
    message
  }
`;

// ------------------------------------------------------------- shared fragments

export const VIEWER_FIELDS = /* GraphQL */ `
  fragment ViewerFields on Viewer {
    id
    email
    fullName
    mspRole
    isMspStaff
    otpEnrolled
    otpVerified
    otpRequired
    canProvisionClients
    memberships {
      role
      client {
        slug
        name
        portalUrl
      }
    }
    currentClient {
      slug
      name
      portalUrl
    }
    mspWorkspaceUrl
    onClientPortal
  }
`;

export const MEMBER_FIELDS = /* GraphQL */ `
  fragment MemberFields on ClientMember {
    id
    fullName
    email
    role
    joinedAt
  }
`;

export const INVITATION_FIELDS = /* GraphQL */ `
  fragment InvitationFields on Invitation {
    id
    email
    fullName
    role
    createdAt
    expiresAt
    invitedBy
  }
`;

export const STAFF_FIELDS = /* GraphQL */ `
  fragment StaffFields on StaffMember {
    id
    fullName
    email
    mspRole
  }
`;

export const CLIENT_DETAIL_FIELDS = /* GraphQL */ `
  fragment ClientDetailFields on Client {
    id
    slug
    name
    industry
    tier
    status
    timezone
    requireTwoFactor
    createdAt
    portalUrl
    memberCount
    contactCount
    accountManager {
      ...StaffFields
    }
    itLeads {
      ...MemberFields
    }
    members {
      ...MemberFields
    }
  }
`;

// ---------------------------------------------------------------- queries

export const VIEWER_QUERY = /* GraphQL */ `
  query Viewer {
    viewer {
      ...ViewerFields
    }
  }
  ${VIEWER_FIELDS}
`;

export const CLIENTS_QUERY = /* GraphQL */ `
  query Clients(
    $first: Int
    $after: String
    $search: String
    $industry: Industry
    $tier: ClientTier
    $status: ClientStatus
    $accountManagerId: ID
  ) {
    clients(
      first: $first
      after: $after
      search: $search
      industry: $industry
      tier: $tier
      status: $status
      accountManagerId: $accountManagerId
    ) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          slug
          name
          industry
          tier
          status
          createdAt
          memberCount
          accountManager {
            ...StaffFields
          }
        }
      }
    }
  }
  ${STAFF_FIELDS}
`;

export const ACCOUNT_MANAGERS_QUERY = /* GraphQL */ `
  query AccountManagers {
    accountManagers {
      ...StaffFields
    }
  }
  ${STAFF_FIELDS}
`;

export const CLIENT_QUERY = /* GraphQL */ `
  query Client($slug: String) {
    client(slug: $slug) {
      ...ClientDetailFields
    }
  }
  ${CLIENT_DETAIL_FIELDS}${STAFF_FIELDS}${MEMBER_FIELDS}
`;

/** Separate from CLIENT_QUERY: only IT leads and MSP staff may read invitations. */
export const CLIENT_INVITATIONS_QUERY = /* GraphQL */ `
  query ClientInvitations($slug: String) {
    client(slug: $slug) {
      id
      slug
      pendingInvitations {
        ...InvitationFields
      }
    }
  }
  ${INVITATION_FIELDS}
`;

/** MSP admins: where the client may go next in its lifecycle and what stops a delete. */
export const CLIENT_LIFECYCLE_QUERY = /* GraphQL */ `
  query ClientLifecycle($slug: String) {
    client(slug: $slug) {
      id
      slug
      name
      status
      allowedStatuses
      deletionBlockers
    }
  }
`;

/** Public: can this invitation link be used, and for which company and name. */
export const INVITATION_PREVIEW_QUERY = /* GraphQL */ `
  query InvitationPreview($token: String!) {
    invitation(token: $token) {
      usable
      companyName
      fullName
    }
  }
`;

export const PROVISIONING_JOB_QUERY = /* GraphQL */ `
  query ProvisioningJob($id: ID!) {
    provisioningJob(id: $id) {
      id
      slug
      status
      step
      totalSteps
      message
      error
      createdAt
      finishedAt
      client {
        id
        slug
        name
      }
    }
  }
`;

// -------------------------------------------------------------- mutations

export const LOGIN_MUTATION = /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      nextStep
      viewer {
        ...ViewerFields
      }
      portals {
        name
        url
      }
      errors {
        ...AuthErrorFields
      }
    }
  }
  ${VIEWER_FIELDS}${AUTH_ERROR_FIELDS}
`;

export const VERIFY_OTP_MUTATION = /* GraphQL */ `
  mutation VerifyOtp($token: String!) {
    verifyOtp(token: $token) {
      viewer {
        ...ViewerFields
      }
      errors {
        ...AuthErrorFields
      }
    }
  }
  ${VIEWER_FIELDS}${AUTH_ERROR_FIELDS}
`;

export const START_OTP_ENROLMENT_MUTATION = /* GraphQL */ `
  mutation StartOtpEnrolment {
    startOtpEnrolment {
      otpauthUri
      qrCodeSvg
      secret
      errors {
        ...AuthErrorFields
      }
    }
  }
  ${AUTH_ERROR_FIELDS}
`;

export const CONFIRM_OTP_ENROLMENT_MUTATION = /* GraphQL */ `
  mutation ConfirmOtpEnrolment($token: String!) {
    confirmOtpEnrolment(token: $token) {
      backupCodes
      viewer {
        ...ViewerFields
      }
      errors {
        ...AuthErrorFields
      }
    }
  }
  ${VIEWER_FIELDS}${AUTH_ERROR_FIELDS}
`;

export const LOGOUT_MUTATION = /* GraphQL */ `
  mutation Logout {
    logout {
      ok
    }
  }
`;

export const ACCEPT_INVITATION_MUTATION = /* GraphQL */ `
  mutation AcceptInvitation($input: AcceptInvitationInput!) {
    acceptInvitation(input: $input) {
      nextStep
      viewer {
        ...ViewerFields
      }
      errors {
        ...AuthErrorFields
      }
    }
  }
  ${VIEWER_FIELDS}${AUTH_ERROR_FIELDS}
`;

export const PROVISION_CLIENT_MUTATION = /* GraphQL */ `
  mutation ProvisionClient($input: ProvisionClientInput!) {
    provisionClient(input: $input) {
      job {
        id
        slug
        status
        step
        totalSteps
        message
        error
      }
      errors {
        ...ClientErrorFields
      }
    }
  }
  ${CLIENT_ERROR_FIELDS}
`;

export const CHANGE_CLIENT_STATUS_MUTATION = /* GraphQL */ `
  mutation ChangeClientStatus($clientSlug: String!, $status: ClientStatus!) {
    changeClientStatus(clientSlug: $clientSlug, status: $status) {
      client {
        id
        slug
        status
        allowedStatuses
        deletionBlockers
      }
      errors {
        ...ClientErrorFields
      }
    }
  }
  ${CLIENT_ERROR_FIELDS}
`;

export const DELETE_CLIENT_MUTATION = /* GraphQL */ `
  mutation DeleteClient($clientSlug: String!, $confirmSlug: String!) {
    deleteClient(clientSlug: $clientSlug, confirmSlug: $confirmSlug) {
      deletedSlug
      errors {
        ...ClientErrorFields
      }
    }
  }
  ${CLIENT_ERROR_FIELDS}
`;

export const INVITE_CLIENT_USER_MUTATION =
  /* GraphQL */ `
  mutation InviteClientUser($input: InviteClientUserInput!) {
    inviteClientUser(input: $input) {
      invitation {
        ...InvitationFields
      }
      errors {
        ...ClientErrorFields
      }
    }
  }
  ${INVITATION_FIELDS}${CLIENT_ERROR_FIELDS}
`;

// ----------------------------------------------------------- service desk

export const WORK_ITEM_FIELDS = /* GraphQL */ `
  fragment WorkItemFields on WorkItem {
    id
    number
    title
    nextDeadlineAt
    nextDeadlineClock
    createdAt
    updatedAt
    priority
    status
    statusLabel
    reference
    kind
    serviceLine
    breachState
    client {
      slug
      name
    }
    assignee {
      ...StaffFields
    }
  }
`;

export const QUEUE_QUERY = /* GraphQL */ `
  query Queue(
    $first: Int
    $after: String
    $mine: Boolean
    $unassigned: Boolean
    $clientSlug: String
    $priority: Priority
    $serviceLine: ServiceLine
    $breachingSoon: Boolean
    $breached: Boolean
  ) {
    queue(
      first: $first
      after: $after
      mine: $mine
      unassigned: $unassigned
      clientSlug: $clientSlug
      priority: $priority
      serviceLine: $serviceLine
      breachingSoon: $breachingSoon
      breached: $breached
    ) {
      totalCount
      totalCountIsCapped
      edges {
        node {
          ...WorkItemFields
        }
      }
    }
  }
  ${WORK_ITEM_FIELDS}${STAFF_FIELDS}
`;

/** The clients the queue's client filter offers (staff, MSP host). */
export const CLIENT_OPTIONS_QUERY = /* GraphQL */ `
  query ClientOptions($first: Int) {
    clients(first: $first) {
      edges {
        node {
          id
          slug
          name
        }
      }
    }
  }
`;

export const SLA_CLOCK_FIELDS = /* GraphQL */ `
  fragment SlaClockFields on SlaClock {
    name
    state
    targetMinutes
    usedMinutes
    remainingMinutes
    overdueMinutes
    dueAt
    startedAt
    stoppedAt
    explainSteps
    explain
  }
`;

export const TICKET_FIELDS = /* GraphQL */ `
  fragment TicketFields on Ticket {
    number
    title
    description
    category
    createdAt
    updatedAt
    resolvedAt
    priority
    status
    serviceLine
    channel
    impact
    urgency
    priorityReason
    requester {
      fullName
      email
    }
    assignee {
      ...StaffFields
    }
    client {
      slug
      name
    }
    slaClocks {
      ...SlaClockFields
    }
    slaProblem
    timeline {
      id
      kind
      at
      actorName
      actorIsStaff
      isInternal
      body
      detail
      attachments {
        id
        filename
        contentType
        sizeBytes
        url
      }
    }
    timeEntries {
      id
      minutes
      rawMinutes
      billable
      note
      workDate
      technician {
        ...StaffFields
      }
    }
    billableMinutes
    totalMinutes
    closedAt
    clientMayReopenUntil
    followUpOf {
      number
      title
      status
    }
    followUps {
      number
      title
      status
    }
  }
`;

/** Every fragment TicketFields needs (interpolated after each ticket document). */
const TICKET_FRAGMENTS = `${TICKET_FIELDS}${SLA_CLOCK_FIELDS}${STAFF_FIELDS}`;

export const TICKET_QUERY = /* GraphQL */ `
  query Ticket($number: Int!, $clientSlug: String) {
    ticket(number: $number, clientSlug: $clientSlug) {
      ...TicketFields
    }
  }
  ${TICKET_FRAGMENTS}
`;

/**
 * Everything the ticket page shows, in one request: the ticket (timeline, SLA clocks, time
 * log), the client's SLA policy (its warning thresholds colour the clocks), and for staff the
 * assignee picker's choices and the client named in the top bar (`isStaff`; the Shell sends no
 * `TopbarClient` of its own on a ticket page). Polled while the page is open.
 */
export const TICKET_PAGE_QUERY = /* GraphQL */ `
  query TicketPage($number: Int!, $clientSlug: String, $isStaff: Boolean!) {
    ticket(number: $number, clientSlug: $clientSlug) {
      ...TicketFields
    }
    clientSla(clientSlug: $clientSlug) {
      policy {
        id
        name
        warningThresholds
      }
    }
    assignableStaff(clientSlug: $clientSlug) @include(if: $isStaff) {
      ...StaffFields
    }
    client(slug: $clientSlug) @include(if: $isStaff) {
      id
      slug
      name
    }
  }
  ${TICKET_FRAGMENTS}
`;

export const TICKETS_QUERY = /* GraphQL */ `
  query Tickets($clientSlug: String, $openOnly: Boolean) {
    tickets(clientSlug: $clientSlug, openOnly: $openOnly) {
      number
      title
      status
      priority
      requesterName
      createdAt
      updatedAt
      nextDeadlineAt
      nextDeadlineClock
      breachState
    }
  }
`;

export const SLA_COMPLIANCE_QUERY = /* GraphQL */ `
  query SlaCompliance($clientSlug: String, $months: Int) {
    slaCompliance(clientSlug: $clientSlug, months: $months) {
      month
      priority
      clock
      met
      breached
      compliancePercent
    }
  }
`;

export const CREATE_TICKET_MUTATION = /* GraphQL */ `
  mutation CreateTicket($input: CreateTicketInput!) {
    createTicket(input: $input) {
      ticket {
        ...TicketFields
      }
      errors {
        ...SupportErrorFields
      }
    }
  }
  ${TICKET_FRAGMENTS}${SUPPORT_ERROR_FIELDS}
`;

export const TRIAGE_TICKET_MUTATION = /* GraphQL */ `
  mutation TriageTicket($number: Int!, $clientSlug: String, $impact: Level!, $urgency: Level!) {
    triageTicket(number: $number, clientSlug: $clientSlug, impact: $impact, urgency: $urgency) {
      ticket {
        ...TicketFields
      }
      errors {
        ...SupportErrorFields
      }
    }
  }
  ${TICKET_FRAGMENTS}${SUPPORT_ERROR_FIELDS}
`;

export const ASSIGN_TICKET_MUTATION = /* GraphQL */ `
  mutation AssignTicket($number: Int!, $clientSlug: String, $assigneeId: ID) {
    assignTicket(number: $number, clientSlug: $clientSlug, assigneeId: $assigneeId) {
      ticket {
        ...TicketFields
      }
      errors {
        ...SupportErrorFields
      }
    }
  }
  ${TICKET_FRAGMENTS}${SUPPORT_ERROR_FIELDS}
`;

export const CHANGE_TICKET_STATUS_MUTATION = /* GraphQL */ `
  mutation ChangeTicketStatus($number: Int!, $clientSlug: String, $status: TicketStatus!) {
    changeTicketStatus(number: $number, clientSlug: $clientSlug, status: $status) {
      ticket {
        ...TicketFields
      }
      errors {
        ...SupportErrorFields
      }
    }
  }
  ${TICKET_FRAGMENTS}${SUPPORT_ERROR_FIELDS}
`;

export const REPLY_TO_TICKET_MUTATION = /* GraphQL */ `
  mutation ReplyToTicket($number: Int!, $clientSlug: String, $body: String!, $attachments: [AttachmentInput!], $idempotencyKey: String) {
    replyToTicket(number: $number, clientSlug: $clientSlug, body: $body, attachments: $attachments, idempotencyKey: $idempotencyKey) {
      ticket {
        ...TicketFields
      }
      errors {
        ...SupportErrorFields
      }
    }
  }
  ${TICKET_FRAGMENTS}${SUPPORT_ERROR_FIELDS}
`;

export const ADD_INTERNAL_NOTE_MUTATION = /* GraphQL */ `
  mutation AddInternalNote($number: Int!, $clientSlug: String, $body: String!, $attachments: [AttachmentInput!], $idempotencyKey: String) {
    addInternalNote(number: $number, clientSlug: $clientSlug, body: $body, attachments: $attachments, idempotencyKey: $idempotencyKey) {
      ticket {
        ...TicketFields
      }
      errors {
        ...SupportErrorFields
      }
    }
  }
  ${TICKET_FRAGMENTS}${SUPPORT_ERROR_FIELDS}
`;

export const LOG_TIME_MUTATION = /* GraphQL */ `
  mutation LogTime($number: Int!, $clientSlug: String, $minutes: Int!, $billable: Boolean, $note: String, $workDate: Date) {
    logTime(number: $number, clientSlug: $clientSlug, minutes: $minutes, billable: $billable, note: $note, workDate: $workDate) {
      ticket {
        ...TicketFields
      }
      errors {
        ...SupportErrorFields
      }
    }
  }
  ${TICKET_FRAGMENTS}${SUPPORT_ERROR_FIELDS}
`;

/** Technicians and admins who may be given this client's tickets (the assignee picker). */
export const ASSIGNABLE_STAFF_QUERY = /* GraphQL */ `
  query AssignableStaff($clientSlug: String!) {
    assignableStaff(clientSlug: $clientSlug) {
      ...StaffFields
    }
  }
  ${STAFF_FIELDS}
`;

/**
 * The client's SLA policy with its warning thresholds: a running clock on the ticket page
 * turns amber once that share of its budget is used (when the ticket's explain names this
 * policy; otherwise 75 %).
 */
export const TICKET_SLA_POLICY_QUERY = /* GraphQL */ `
  query TicketSlaPolicy($clientSlug: String) {
    clientSla(clientSlug: $clientSlug) {
      policy {
        id
        name
        warningThresholds
      }
    }
  }
`;

/** A client's active contacts (staff raising a ticket pick the requester; at most 200, searchable). */
export const CONTACTS_QUERY = /* GraphQL */ `
  query Contacts($clientSlug: String, $search: String) {
    contacts(clientSlug: $clientSlug, search: $search) {
      id
      fullName
      email
      jobTitle
      isBusinessCritical
    }
  }
`;

/** The client a staff page is about, named in the top bar. */
export const TOPBAR_CLIENT_QUERY = /* GraphQL */ `
  query TopbarClient($slug: String) {
    client(slug: $slug) {
      id
      slug
      name
    }
  }
`;

// ------------------------------------------------------------- SLA catalog
// Calendars, policies and their targets, the triage matrix, and a client's SLA choice.

export const CATALOG_CALENDAR_FIELDS = /* GraphQL */ `
  fragment CatalogCalendarFields on BusinessCalendar {
    id
    name
    timezone
    alwaysOpen
    holidayCountry
    holidaySubdivision
    windows {
      weekday
      start
      end
    }
    closures {
      date
      reason
    }
  }
`;

export const CATALOG_POLICY_FIELDS = /* GraphQL */ `
  fragment CatalogPolicyFields on SlaPolicy {
    id
    name
    description
    isDefault
    warningThresholds
    calendarId
    targets {
      priority
      firstResponseMinutes
      nextUpdateMinutes
      resolutionMinutes
      aroundTheClock
    }
  }
`;

export const CATALOG_TRIAGE_CELL_FIELDS = /* GraphQL */ `
  fragment CatalogTriageCellFields on TriageCell {
    impact
    urgency
    priority
    configured
  }
`;

export const SLA_CATALOG_QUERY = /* GraphQL */ `
  query SlaCatalog {
    slaCatalog {
      calendars {
        ...CatalogCalendarFields
      }
      policies {
        ...CatalogPolicyFields
      }
      triageMatrix {
        ...CatalogTriageCellFields
      }
    }
  }
  ${CATALOG_CALENDAR_FIELDS}
  ${CATALOG_POLICY_FIELDS}
  ${CATALOG_TRIAGE_CELL_FIELDS}
`;

export const SAVE_BUSINESS_CALENDAR_MUTATION = /* GraphQL */ `
  mutation SaveBusinessCalendar($input: CalendarInput!) {
    saveBusinessCalendar(input: $input) {
      calendar {
        ...CatalogCalendarFields
      }
      errors {
        ...CatalogErrorFields
      }
    }
  }
  ${CATALOG_CALENDAR_FIELDS}${CATALOG_ERROR_FIELDS}
`;

/** Create a policy (with targets P1–P4) or rename it, change its calendar, make it the default. */
export const SAVE_SLA_POLICY_MUTATION = /* GraphQL */ `
  mutation SaveSlaPolicy($input: PolicyInput!) {
    saveSlaPolicy(input: $input) {
      policy {
        ...CatalogPolicyFields
      }
      errors {
        ...CatalogErrorFields
      }
    }
  }
  ${CATALOG_POLICY_FIELDS}${CATALOG_ERROR_FIELDS}
`;

export const SAVE_SLA_TARGETS_MUTATION = /* GraphQL */ `
  mutation SaveSlaTargets($policyId: ID!, $targets: [TargetInput!]!, $warningThresholds: [Float!]) {
    saveSlaTargets(policyId: $policyId, targets: $targets, warningThresholds: $warningThresholds) {
      policy {
        ...CatalogPolicyFields
      }
      errors {
        ...CatalogErrorFields
      }
    }
  }
  ${CATALOG_POLICY_FIELDS}${CATALOG_ERROR_FIELDS}
`;

export const SAVE_TRIAGE_RULE_MUTATION = /* GraphQL */ `
  mutation SaveTriageRule($impact: Level!, $urgency: Level!, $priority: Priority!) {
    saveTriageRule(impact: $impact, urgency: $urgency, priority: $priority) {
      cell {
        ...CatalogTriageCellFields
      }
      errors {
        ...CatalogErrorFields
      }
    }
  }
  ${CATALOG_TRIAGE_CELL_FIELDS}${CATALOG_ERROR_FIELDS}
`;

/** The policies a client can be put on (for the client page's SLA card). */
export const SLA_POLICY_OPTIONS_QUERY = /* GraphQL */ `
  query SlaPolicyOptions {
    slaCatalog {
      policies {
        id
        name
        isDefault
      }
    }
  }
`;

export const CLIENT_SLA_QUERY = /* GraphQL */ `
  query ClientSla($clientSlug: String) {
    clientSla(clientSlug: $clientSlug) {
      explicit
      policy {
        ...CatalogPolicyFields
      }
    }
  }
  ${CATALOG_POLICY_FIELDS}
`;

export const SET_CLIENT_SLA_MUTATION = /* GraphQL */ `
  mutation SetClientSla($clientSlug: String!, $policyId: ID, $noSla: Boolean) {
    setClientSla(clientSlug: $clientSlug, policyId: $policyId, noSla: $noSla) {
      clientSla {
        explicit
        policy {
          ...CatalogPolicyFields
        }
      }
      errors {
        ...CatalogErrorFields
      }
    }
  }
  ${CATALOG_POLICY_FIELDS}${CATALOG_ERROR_FIELDS}
`;

// ---------------------------------------------------------- change history
// Staff only (docs/audit-history.md); asked for when a History panel is opened.

const HISTORY_ENTRY_FIELDS = /* GraphQL */ `
  fragment HistoryEntryFields on HistoryEntry {
    at
    kind
    subject
    label
    actorName
    changes {
      field
      before
      after
    }
  }
`;

/** A ticket's recorded changes. */
export const TICKET_HISTORY_QUERY = /* GraphQL */ `
  query TicketHistory($number: Int!, $clientSlug: String) {
    ticket(number: $number, clientSlug: $clientSlug) {
      number
      history {
        ...HistoryEntryFields
      }
    }
  }
  ${HISTORY_ENTRY_FIELDS}
`;

/** Changes of a client, its memberships and its staff allow-list. */
export const CLIENT_HISTORY_QUERY = /* GraphQL */ `
  query ClientHistory($slug: String) {
    client(slug: $slug) {
      id
      history {
        ...HistoryEntryFields
      }
    }
  }
  ${HISTORY_ENTRY_FIELDS}
`;

// ------------------------------------------------------------- sites and devices

export const INFRASTRUCTURE_ERROR_FIELDS = /* GraphQL */ `
  fragment InfrastructureErrorFields on InfrastructureError {
    field
    code
    message
  }
`;

export const MFA_ERROR_FIELDS = /* GraphQL */ `
  fragment MfaErrorFields on MfaError {
    field
    code
    message
  }
`;

/** An uploaded CSV file (device list or identity-provider list): preview, progress, outcome. */
export const CSV_IMPORT_FIELDS = /* GraphQL */ `
  fragment CsvImportFields on CsvImport {
    id
    fileName
    status
    totalRows
    processedRows
    toCreate
    toUpdate
    unchanged
    toRemove
    errorCount
    canApply
    failure
    createdAt
    appliedAt
    sameFileAppliedAt
    errors(first: 100) {
      line
      column
      code
      message
    }
  }
`;

export const SITE_FIELDS = /* GraphQL */ `
  fragment SiteFields on Site {
    id
    name
    kind
    address
    isActive
    deviceCount
    contact {
      id
      fullName
      email
    }
  }
`;

export const DEVICE_FIELDS = /* GraphQL */ `
  fragment DeviceFields on Device {
    id
    name
    deviceType
    os
    osVersion
    criticality
    isManaged
    serial
    warrantyEndsOn
    lastSeenAt
    protectionStatus
    protectionProduct
    patchStatus
    isActive
    owner {
      id
      fullName
      email
    }
    site {
      id
      name
      kind
    }
  }
`;

export const SITES_QUERY = /* GraphQL */ `
  query Sites($clientSlug: String, $kind: SiteKind, $search: String, $first: Int) {
    sites(clientSlug: $clientSlug, kind: $kind, search: $search, first: $first) {
      totalCount
      edges {
        node {
          ...SiteFields
        }
      }
    }
  }
  ${SITE_FIELDS}
`;

export const DEVICES_QUERY = /* GraphQL */ `
  query Devices(
    $clientSlug: String
    $siteId: ID
    $deviceType: DeviceKind
    $managed: Boolean
    $criticality: DeviceCriticality
    $protectionStatus: ProtectionStatus
    $patchStatus: PatchStatus
    $search: String
    $first: Int
    $after: String
  ) {
    devices(
      clientSlug: $clientSlug
      siteId: $siteId
      deviceType: $deviceType
      managed: $managed
      criticality: $criticality
      protectionStatus: $protectionStatus
      patchStatus: $patchStatus
      search: $search
      first: $first
      after: $after
    ) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...DeviceFields
        }
      }
    }
  }
  ${DEVICE_FIELDS}
`;

export const CREATE_SITE_MUTATION = /* GraphQL */ `
  mutation CreateSite($clientSlug: String, $input: SiteInput!) {
    createSite(clientSlug: $clientSlug, input: $input) {
      site {
        ...SiteFields
      }
      errors {
        ...InfrastructureErrorFields
      }
    }
  }
  ${SITE_FIELDS}
  ${INFRASTRUCTURE_ERROR_FIELDS}
`;

export const UPDATE_SITE_MUTATION = /* GraphQL */ `
  mutation UpdateSite($clientSlug: String, $id: ID!, $input: SiteInput!) {
    updateSite(clientSlug: $clientSlug, id: $id, input: $input) {
      site {
        ...SiteFields
      }
      errors {
        ...InfrastructureErrorFields
      }
    }
  }
  ${SITE_FIELDS}
  ${INFRASTRUCTURE_ERROR_FIELDS}
`;

export const RETIRE_SITE_MUTATION = /* GraphQL */ `
  mutation RetireSite($clientSlug: String, $id: ID!) {
    retireSite(clientSlug: $clientSlug, id: $id) {
      site {
        id
        isActive
      }
      errors {
        ...InfrastructureErrorFields
      }
    }
  }
  ${INFRASTRUCTURE_ERROR_FIELDS}
`;

export const CREATE_DEVICE_MUTATION = /* GraphQL */ `
  mutation CreateDevice($clientSlug: String, $input: DeviceInput!) {
    createDevice(clientSlug: $clientSlug, input: $input) {
      device {
        ...DeviceFields
      }
      errors {
        ...InfrastructureErrorFields
      }
    }
  }
  ${DEVICE_FIELDS}
  ${INFRASTRUCTURE_ERROR_FIELDS}
`;

export const UPDATE_DEVICE_MUTATION = /* GraphQL */ `
  mutation UpdateDevice($clientSlug: String, $id: ID!, $input: DeviceInput!) {
    updateDevice(clientSlug: $clientSlug, id: $id, input: $input) {
      device {
        ...DeviceFields
      }
      errors {
        ...InfrastructureErrorFields
      }
    }
  }
  ${DEVICE_FIELDS}
  ${INFRASTRUCTURE_ERROR_FIELDS}
`;

export const RETIRE_DEVICE_MUTATION = /* GraphQL */ `
  mutation RetireDevice($clientSlug: String, $id: ID!) {
    retireDevice(clientSlug: $clientSlug, id: $id) {
      device {
        id
        isActive
      }
      errors {
        ...InfrastructureErrorFields
      }
    }
  }
  ${INFRASTRUCTURE_ERROR_FIELDS}
`;

export const DEVICE_IMPORT_QUERY = /* GraphQL */ `
  query DeviceImport($clientSlug: String, $id: ID!) {
    deviceImport(clientSlug: $clientSlug, id: $id) {
      ...CsvImportFields
    }
  }
  ${CSV_IMPORT_FIELDS}
`;

export const PREVIEW_DEVICE_IMPORT_MUTATION = /* GraphQL */ `
  mutation PreviewDeviceImport($clientSlug: String, $fileName: String!, $dataBase64: String!) {
    previewDeviceImport(clientSlug: $clientSlug, fileName: $fileName, dataBase64: $dataBase64) {
      deviceImport {
        ...CsvImportFields
      }
      errors {
        ...InfrastructureErrorFields
      }
    }
  }
  ${CSV_IMPORT_FIELDS}
  ${INFRASTRUCTURE_ERROR_FIELDS}
`;

export const APPLY_DEVICE_IMPORT_MUTATION = /* GraphQL */ `
  mutation ApplyDeviceImport($clientSlug: String, $importId: ID!) {
    applyDeviceImport(clientSlug: $clientSlug, importId: $importId) {
      deviceImport {
        ...CsvImportFields
      }
      errors {
        ...InfrastructureErrorFields
      }
    }
  }
  ${CSV_IMPORT_FIELDS}
  ${INFRASTRUCTURE_ERROR_FIELDS}
`;

export const DISCARD_DEVICE_IMPORT_MUTATION = /* GraphQL */ `
  mutation DiscardDeviceImport($clientSlug: String, $importId: ID!) {
    discardDeviceImport(clientSlug: $clientSlug, importId: $importId) {
      deviceImport {
        id
        status
      }
      errors {
        ...InfrastructureErrorFields
      }
    }
  }
  ${INFRASTRUCTURE_ERROR_FIELDS}
`;

// ------------------------------------------------------------- MFA coverage

export const MFA_COVERAGE_QUERY = /* GraphQL */ `
  query MfaCoverage($clientSlug: String, $days: Int) {
    mfaCoverage(clientSlug: $clientSlug) {
      percent
      totalAccounts
      coveredAccounts
      uncoveredAccounts
      portalAccounts
      portalCovered
      idpAccounts
      idpCovered
      lastImportAt
      history(days: $days) {
        day
        percent
        totalAccounts
        coveredAccounts
      }
      portalUsers {
        email
        fullName
        isItLead
        hasMfa
      }
    }
  }
`;

export const IDP_ACCOUNTS_QUERY = /* GraphQL */ `
  query IdpAccounts($clientSlug: String, $mfaEnabled: Boolean, $search: String, $first: Int, $after: String) {
    idpAccounts(clientSlug: $clientSlug, mfaEnabled: $mfaEnabled, search: $search, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          login
          displayName
          mfaEnabled
          mfaMethod
          accountEnabled
          lastSignInAt
        }
      }
    }
  }
`;

export const IDP_IMPORT_QUERY = /* GraphQL */ `
  query IdpImport($clientSlug: String, $id: ID!) {
    idpImport(clientSlug: $clientSlug, id: $id) {
      ...CsvImportFields
    }
  }
  ${CSV_IMPORT_FIELDS}
`;

export const PREVIEW_IDP_IMPORT_MUTATION = /* GraphQL */ `
  mutation PreviewIdpImport($clientSlug: String, $fileName: String!, $dataBase64: String!) {
    previewIdpImport(clientSlug: $clientSlug, fileName: $fileName, dataBase64: $dataBase64) {
      idpImport {
        ...CsvImportFields
      }
      errors {
        ...MfaErrorFields
      }
    }
  }
  ${CSV_IMPORT_FIELDS}
  ${MFA_ERROR_FIELDS}
`;

export const APPLY_IDP_IMPORT_MUTATION = /* GraphQL */ `
  mutation ApplyIdpImport($clientSlug: String, $importId: ID!) {
    applyIdpImport(clientSlug: $clientSlug, importId: $importId) {
      idpImport {
        ...CsvImportFields
      }
      errors {
        ...MfaErrorFields
      }
    }
  }
  ${CSV_IMPORT_FIELDS}
  ${MFA_ERROR_FIELDS}
`;

export const DISCARD_IDP_IMPORT_MUTATION = /* GraphQL */ `
  mutation DiscardIdpImport($clientSlug: String, $importId: ID!) {
    discardIdpImport(clientSlug: $clientSlug, importId: $importId) {
      idpImport {
        id
        status
      }
      errors {
        ...MfaErrorFields
      }
    }
  }
  ${MFA_ERROR_FIELDS}
`;


/** The client's live status page (one request per view; polled while open). */
export const STATUS_PAGE_QUERY = /* GraphQL */ `
  query StatusPage($clientSlug: String) {
    statusPage(clientSlug: $clientSlug) {
      full
      generatedAt
      monthStart
      uptimeFrom
      services {
        name
        state
        since
        availabilityPercent
        promisedPercent
        dailyUptime
        layer
        isBusinessCritical
        maintenanceUntil
      }
      incidents {
        kind
        title
        severity
        status
        startedAt
        reference
      }
      openSecurityIncidents
      openMajorSecurityIncidents
      mfaCovered
      mfaTotal
      mfaPercent
      mfaHistory {
        day
        percent
      }
      slaMonthMet
      slaMonthBreached
      slaMonthPercent
      devices {
        active
        managed
        protected
        protectionOutdated
        protectionMissing
        protectionUnknown
        patchCurrent
        patchPending
        patchOverdue
        patchUnknown
      }
      work {
        kind
        number
        reference
        title
        priority
        status
        serviceLine
        assigneeName
        nextDeadlineAt
        breachState
        updatedAt
      }
      workTotal
      ticketsOpenedLast30Days
      ticketsOpenedPrevious30Days
      improvements {
        proposed
        active
        stalled
        completedRecently
      }
      hierarchy {
        key
        label
        ownState
        state
        reasons {
          text
          state
          evidence
        }
      }
      broadcasts {
        id
        kind
        title
        bodyHtml
        publishedAt
      }
    }
  }
`;
// ------------------------------------------------------------- monitoring (infrastructure)

export const MONITORING_ERROR_FIELDS = /* GraphQL */ `
  fragment MonitoringErrorFields on MonitoringError {
    field
    code
    message
  }
`;

export const MONITOR_FIELDS = /* GraphQL */ `
  fragment MonitorFields on Monitor {
    id
    serviceId
    name
    key
    kind
    target
    intervalSeconds
    timeoutSeconds
    expectedStatus
    keyword
    certWarningDays
    heartbeatGraceSeconds
    failuresToDown
    successesToUp
    urgency
    isPaused
    state
    stateSince
    lastResultAt
    lastLatencyMs
    lastMessage
    certExpiresAt
    pingUrl
  }
`;

export const MAINTENANCE_WINDOW_FIELDS = /* GraphQL */ `
  fragment MaintenanceWindowFields on MaintenanceWindow {
    id
    serviceId
    startsAt
    endsAt
    reason
  }
`;

export const CLIENT_SERVICE_FIELDS = /* GraphQL */ `
  fragment ClientServiceFields on ClientService {
    id
    name
    category
    description
    isBusinessCritical
    promisedAvailability
    resolveTicketOnRecovery
    state
    monitors {
      ...MonitorFields
    }
    openOutages {
      id
      monitorId
      startedAt
      ticketNumber
    }
  }
`;

export const CLIENT_SERVICES_QUERY = /* GraphQL */ `
  query ClientServices($clientSlug: String) {
    clientServices(clientSlug: $clientSlug) {
      ...ClientServiceFields
    }
    maintenanceWindows(clientSlug: $clientSlug) {
      ...MaintenanceWindowFields
    }
  }
  ${CLIENT_SERVICE_FIELDS}
  ${MONITOR_FIELDS}
  ${MAINTENANCE_WINDOW_FIELDS}
`;
// (The services' own maintenance fields are left out: the windows are listed once beside them,
// which keeps the query inside the cost budget.)

export const MONITOR_STATE_HISTORY_QUERY = /* GraphQL */ `
  query MonitorStateHistory($clientSlug: String, $monitorId: ID!) {
    monitorStateHistory(clientSlug: $clientSlug, monitorId: $monitorId) {
      at
      fromState
      toState
      reason
    }
  }
`;

export const SERVICE_AVAILABILITY_QUERY = /* GraphQL */ `
  query ServiceAvailability($clientSlug: String, $year: Int!, $month: Int!) {
    serviceAvailability(clientSlug: $clientSlug, year: $year, month: $month) {
      serviceId
      monitorId
      availabilityPercent
      promisedPercent
      met
      downSeconds
      maintenanceSeconds
      outageCount
      isFinal
    }
  }
`;

export const DOWN_NOW_QUERY = /* GraphQL */ `
  query DownNow {
    downNow {
      id
      clientSlug
      clientName
      serviceName
      monitorName
      kind
      state
      stateSince
      lastResultAt
      lastMessage
      ticketNumber
      isBusinessCritical
      inMaintenanceUntil
    }
  }
`;

export const CREATE_CLIENT_SERVICE_MUTATION = /* GraphQL */ `
  mutation CreateClientService($clientSlug: String, $input: ClientServiceInput!) {
    createClientService(clientSlug: $clientSlug, input: $input) {
      service {
        id
      }
      errors {
        ...MonitoringErrorFields
      }
    }
  }
  ${MONITORING_ERROR_FIELDS}
`;

export const UPDATE_CLIENT_SERVICE_MUTATION = /* GraphQL */ `
  mutation UpdateClientService($clientSlug: String, $id: ID!, $input: ClientServiceInput!) {
    updateClientService(clientSlug: $clientSlug, id: $id, input: $input) {
      service {
        id
      }
      errors {
        ...MonitoringErrorFields
      }
    }
  }
  ${MONITORING_ERROR_FIELDS}
`;

export const CREATE_MONITOR_MUTATION = /* GraphQL */ `
  mutation CreateMonitor($clientSlug: String, $serviceId: ID!, $input: MonitorInput!) {
    createMonitor(clientSlug: $clientSlug, serviceId: $serviceId, input: $input) {
      monitor {
        ...MonitorFields
      }
      errors {
        ...MonitoringErrorFields
      }
    }
  }
  ${MONITOR_FIELDS}
  ${MONITORING_ERROR_FIELDS}
`;

export const UPDATE_MONITOR_MUTATION = /* GraphQL */ `
  mutation UpdateMonitor($clientSlug: String, $id: ID!, $input: MonitorInput!) {
    updateMonitor(clientSlug: $clientSlug, id: $id, input: $input) {
      monitor {
        ...MonitorFields
      }
      errors {
        ...MonitoringErrorFields
      }
    }
  }
  ${MONITOR_FIELDS}
  ${MONITORING_ERROR_FIELDS}
`;

export const SET_MONITOR_PAUSED_MUTATION = /* GraphQL */ `
  mutation SetMonitorPaused($clientSlug: String, $id: ID!, $paused: Boolean!) {
    setMonitorPaused(clientSlug: $clientSlug, id: $id, paused: $paused) {
      monitor {
        id
        isPaused
        state
      }
      errors {
        ...MonitoringErrorFields
      }
    }
  }
  ${MONITORING_ERROR_FIELDS}
`;

export const DELETE_MONITOR_MUTATION = /* GraphQL */ `
  mutation DeleteMonitor($clientSlug: String, $id: ID!) {
    deleteMonitor(clientSlug: $clientSlug, id: $id) {
      deletedId
      errors {
        ...MonitoringErrorFields
      }
    }
  }
  ${MONITORING_ERROR_FIELDS}
`;

export const SCHEDULE_MAINTENANCE_MUTATION = /* GraphQL */ `
  mutation ScheduleMaintenance($clientSlug: String, $serviceId: ID!, $startsAt: DateTime!, $endsAt: DateTime!, $reason: String!) {
    scheduleMaintenance(clientSlug: $clientSlug, serviceId: $serviceId, startsAt: $startsAt, endsAt: $endsAt, reason: $reason) {
      window {
        ...MaintenanceWindowFields
      }
      errors {
        ...MonitoringErrorFields
      }
    }
  }
  ${MAINTENANCE_WINDOW_FIELDS}
  ${MONITORING_ERROR_FIELDS}
`;

export const CANCEL_MAINTENANCE_MUTATION = /* GraphQL */ `
  mutation CancelMaintenance($clientSlug: String, $id: ID!) {
    cancelMaintenance(clientSlug: $clientSlug, id: $id) {
      cancelledId
      errors {
        ...MonitoringErrorFields
      }
    }
  }
  ${MONITORING_ERROR_FIELDS}
`;

// ------------------------------------------------------------------- security

/** A line of a client's security incident list. */
export const SECURITY_INCIDENT_ROW_FIELDS = /* GraphQL */ `
  fragment SecurityIncidentRowFields on SecurityIncidentSummary {
    number
    reference
    title
    kind
    severity
    status
    createdAt
    updatedAt
    nextDeadlineAt
    nextDeadlineClock
    breachState
    affectedUserCount
    assignee {
      id
      fullName
    }
  }
`;

export const SECURITY_INCIDENTS_QUERY = /* GraphQL */ `
  query SecurityIncidents($clientSlug: String, $openOnly: Boolean) {
    securityIncidents(clientSlug: $clientSlug, openOnly: $openOnly) {
      ...SecurityIncidentRowFields
    }
  }
  ${SECURITY_INCIDENT_ROW_FIELDS}
`;

/** An incident's page: clocks, timeline, affected people and devices. */
export const SECURITY_INCIDENT_FIELDS = /* GraphQL */ `
  fragment SecurityIncidentFields on SecurityIncident {
    number
    reference
    title
    description
    kind
    severity
    status
    createdAt
    updatedAt
    acknowledgedAt
    containedAt
    resolvedAt
    closedAt
    viewerMayManage
    slaProblem
    assignee {
      ...StaffFields
    }
    affectedUsers {
      contactId
      fullName
      email
    }
    affectedDevices {
      deviceId
      name
    }
    campaigns {
      id
      subject
      reportCount
    }
    slaClocks {
      ...SlaClockFields
    }
    timeline {
      id
      kind
      at
      actorName
      actorIsStaff
      isInternal
      body
      detail
    }
  }
`;

const SECURITY_INCIDENT_FRAGMENTS = `${SECURITY_INCIDENT_FIELDS}${SLA_CLOCK_FIELDS}${STAFF_FIELDS}`;

export const SECURITY_INCIDENT_QUERY = /* GraphQL */ `
  query SecurityIncident($number: Int!, $clientSlug: String) {
    securityIncident(number: $number, clientSlug: $clientSlug) {
      ...SecurityIncidentFields
    }
  }
  ${SECURITY_INCIDENT_FRAGMENTS}
`;

export const CREATE_SECURITY_INCIDENT_MUTATION = /* GraphQL */ `
  mutation CreateSecurityIncident($input: CreateSecurityIncidentInput!) {
    createSecurityIncident(input: $input) {
      incident {
        number
        reference
      }
      errors {
        ...SecurityErrorFields
      }
    }
  }
  ${SECURITY_ERROR_FIELDS}
`;

export const CHANGE_SECURITY_INCIDENT_STATUS_MUTATION = /* GraphQL */ `
  mutation ChangeSecurityIncidentStatus($number: Int!, $clientSlug: String, $status: SecurityIncidentStatus!, $note: String) {
    changeSecurityIncidentStatus(number: $number, clientSlug: $clientSlug, status: $status, note: $note) {
      incident {
        ...SecurityIncidentFields
      }
      errors {
        ...SecurityErrorFields
      }
    }
  }
  ${SECURITY_INCIDENT_FRAGMENTS}${SECURITY_ERROR_FIELDS}
`;

export const CHANGE_SECURITY_INCIDENT_SEVERITY_MUTATION = /* GraphQL */ `
  mutation ChangeSecurityIncidentSeverity($number: Int!, $clientSlug: String, $severity: SecuritySeverity!) {
    changeSecurityIncidentSeverity(number: $number, clientSlug: $clientSlug, severity: $severity) {
      incident {
        ...SecurityIncidentFields
      }
      errors {
        ...SecurityErrorFields
      }
    }
  }
  ${SECURITY_INCIDENT_FRAGMENTS}${SECURITY_ERROR_FIELDS}
`;

export const ASSIGN_SECURITY_INCIDENT_MUTATION = /* GraphQL */ `
  mutation AssignSecurityIncident($number: Int!, $clientSlug: String, $assigneeId: ID) {
    assignSecurityIncident(number: $number, clientSlug: $clientSlug, assigneeId: $assigneeId) {
      incident {
        ...SecurityIncidentFields
      }
      errors {
        ...SecurityErrorFields
      }
    }
  }
  ${SECURITY_INCIDENT_FRAGMENTS}${SECURITY_ERROR_FIELDS}
`;

export const ADD_SECURITY_INCIDENT_NOTE_MUTATION = /* GraphQL */ `
  mutation AddSecurityIncidentNote($number: Int!, $clientSlug: String, $body: String!, $internal: Boolean) {
    addSecurityIncidentNote(number: $number, clientSlug: $clientSlug, body: $body, internal: $internal) {
      incident {
        ...SecurityIncidentFields
      }
      errors {
        ...SecurityErrorFields
      }
    }
  }
  ${SECURITY_INCIDENT_FRAGMENTS}${SECURITY_ERROR_FIELDS}
`;

export const SET_SECURITY_INCIDENT_AFFECTED_MUTATION = /* GraphQL */ `
  mutation SetSecurityIncidentAffected($number: Int!, $clientSlug: String, $contactIds: [ID!]!, $deviceIds: [ID!]!) {
    setSecurityIncidentAffected(number: $number, clientSlug: $clientSlug, contactIds: $contactIds, deviceIds: $deviceIds) {
      incident {
        ...SecurityIncidentFields
      }
      errors {
        ...SecurityErrorFields
      }
    }
  }
  ${SECURITY_INCIDENT_FRAGMENTS}${SECURITY_ERROR_FIELDS}
`;

/** Staff: the client's devices to name on an incident. */
export const SECURITY_DEVICE_CHOICES_QUERY = /* GraphQL */ `
  query SecurityDeviceChoices($clientSlug: String, $search: String) {
    securityDeviceChoices(clientSlug: $clientSlug, search: $search) {
      id
      name
    }
  }
`;

/** A reported message as parsed: headers, verdicts, defanged links, attachment hashes. */
export const PHISHING_REPORT_FIELDS = /* GraphQL */ `
  fragment PhishingReportFields on PhishingReport {
    id
    campaignId
    status
    incidentNumber
    reporterName
    comment
    createdAt
    rawSize
    subject
    fromAddress
    fromDisplay
    replyTo
    returnPath
    dateHeader
    sentAt
    messageId
    receivedChain
    authentication {
      spf
      dkim
      dmarc
      headers
    }
    links {
      defangedUrl
      host
      text
      textShowsOtherHost
    }
    attachments {
      filename
      contentType
      sizeBytes
      sha256
    }
    textExcerpt
    parseProblems
  }
`;

export const PHISHING_REPORTS_QUERY = /* GraphQL */ `
  query PhishingReports($clientSlug: String) {
    phishingReports(clientSlug: $clientSlug) {
      id
      subject
      fromAddress
      status
      incidentNumber
      reporterName
      createdAt
    }
  }
`;

export const PHISHING_REPORT_QUERY = /* GraphQL */ `
  query PhishingReport($id: ID!, $clientSlug: String) {
    phishingReport(id: $id, clientSlug: $clientSlug) {
      ...PhishingReportFields
    }
  }
  ${PHISHING_REPORT_FIELDS}
`;

export const REPORT_PHISHING_MUTATION = /* GraphQL */ `
  mutation ReportPhishing($input: ReportPhishingInput!) {
    reportPhishing(input: $input) {
      report {
        ...PhishingReportFields
      }
      errors {
        ...SecurityErrorFields
      }
    }
  }
  ${PHISHING_REPORT_FIELDS}${SECURITY_ERROR_FIELDS}
`;

export const PHISHING_CAMPAIGNS_QUERY = /* GraphQL */ `
  query PhishingCampaigns($clientSlug: String, $status: PhishingCampaignStatus) {
    phishingCampaigns(clientSlug: $clientSlug, status: $status) {
      id
      subject
      senderDomain
      status
      reportCount
      firstReportedAt
      lastReportedAt
      incidentNumber
    }
  }
`;

export const PHISHING_CAMPAIGN_FIELDS = /* GraphQL */ `
  fragment PhishingCampaignFields on PhishingCampaign {
    id
    subject
    senderDomain
    status
    reportCount
    firstReportedAt
    lastReportedAt
    incidentNumber
    verdictNote
    triagedAt
    triagedBy {
      id
      fullName
    }
    reports {
      id
      reporterName
      createdAt
      fromAddress
      comment
    }
  }
`;

export const PHISHING_CAMPAIGN_QUERY = /* GraphQL */ `
  query PhishingCampaign($id: ID!, $clientSlug: String) {
    phishingCampaign(id: $id, clientSlug: $clientSlug) {
      ...PhishingCampaignFields
    }
  }
  ${PHISHING_CAMPAIGN_FIELDS}
`;

export const TRIAGE_PHISHING_CAMPAIGN_MUTATION = /* GraphQL */ `
  mutation TriagePhishingCampaign(
    $campaignId: ID!
    $clientSlug: String
    $verdict: PhishingVerdict!
    $note: String
    $severity: SecuritySeverity
    $title: String
    $incidentNumber: Int
  ) {
    triagePhishingCampaign(
      campaignId: $campaignId
      clientSlug: $clientSlug
      verdict: $verdict
      note: $note
      severity: $severity
      title: $title
      incidentNumber: $incidentNumber
    ) {
      campaign {
        ...PhishingCampaignFields
      }
      errors {
        ...SecurityErrorFields
      }
    }
  }
  ${PHISHING_CAMPAIGN_FIELDS}${SECURITY_ERROR_FIELDS}
`;

export const SECURITY_RESPONSE_POLICY_FIELDS = /* GraphQL */ `
  fragment SecurityResponsePolicyFields on SecurityResponsePolicy {
    calendarName
    isDefault
    targets {
      severity
      acknowledgeMinutes
      containMinutes
      resolveMinutes
      aroundTheClock
      isDefault
    }
  }
`;

export const SECURITY_RESPONSE_POLICY_QUERY = /* GraphQL */ `
  query SecurityResponsePolicy($clientSlug: String) {
    securityResponsePolicy(clientSlug: $clientSlug) {
      ...SecurityResponsePolicyFields
    }
  }
  ${SECURITY_RESPONSE_POLICY_FIELDS}
`;

export const SAVE_SECURITY_RESPONSE_TARGETS_MUTATION = /* GraphQL */ `
  mutation SaveSecurityResponseTargets($clientSlug: String, $targets: [SecurityResponseTargetInput!]!) {
    saveSecurityResponseTargets(clientSlug: $clientSlug, targets: $targets) {
      policy {
        ...SecurityResponsePolicyFields
      }
      errors {
        ...SecurityErrorFields
      }
    }
  }
  ${SECURITY_RESPONSE_POLICY_FIELDS}${SECURITY_ERROR_FIELDS}
`;

export const RESET_SECURITY_RESPONSE_TARGETS_MUTATION = /* GraphQL */ `
  mutation ResetSecurityResponseTargets($clientSlug: String) {
    resetSecurityResponseTargets(clientSlug: $clientSlug) {
      policy {
        ...SecurityResponsePolicyFields
      }
      errors {
        ...SecurityErrorFields
      }
    }
  }
  ${SECURITY_RESPONSE_POLICY_FIELDS}${SECURITY_ERROR_FIELDS}
`;


// ------------------------------------------------------------------ push ingest (tokens)

export const INGEST_ERROR_FIELDS = /* GraphQL */ `
  fragment IngestErrorFields on IngestError {
    field
    code
    message
  }
`;

export const INGEST_TOKEN_FIELDS = /* GraphQL */ `
  fragment IngestTokenFields on IngestToken {
    id
    name
    keyId
    createdAt
    createdByName
    lastUsedAt
    revokedAt
    revokedByName
    isActive
  }
`;

/** MSP staff: the client's ingest tokens (never their secrets). */
export const INGEST_TOKENS_QUERY = /* GraphQL */ `
  query IngestTokens($clientSlug: String) {
    ingestTokens(clientSlug: $clientSlug) {
      ...IngestTokenFields
    }
  }
  ${INGEST_TOKEN_FIELDS}
`;

/** Staff and the client's IT lead: is the client's RMM reporting? */
export const MONITORING_CONNECTION_QUERY = /* GraphQL */ `
  query MonitoringConnection($clientSlug: String) {
    monitoringConnection(clientSlug: $clientSlug) {
      connected
      activeTokenCount
      lastReceivedAt
    }
  }
`;

export const CREATE_INGEST_TOKEN_MUTATION = /* GraphQL */ `
  mutation CreateIngestToken($clientSlug: String, $name: String!) {
    createIngestToken(clientSlug: $clientSlug, name: $name) {
      secret
      token {
        ...IngestTokenFields
      }
      errors {
        ...IngestErrorFields
      }
    }
  }
  ${INGEST_TOKEN_FIELDS}
  ${INGEST_ERROR_FIELDS}
`;

export const REVOKE_INGEST_TOKEN_MUTATION = /* GraphQL */ `
  mutation RevokeIngestToken($id: ID!) {
    revokeIngestToken(id: $id) {
      token {
        ...IngestTokenFields
      }
      errors {
        ...IngestErrorFields
      }
    }
  }
  ${INGEST_TOKEN_FIELDS}
  ${INGEST_ERROR_FIELDS}
`;


// ------------------------------------------------------------- billing

export const BILLING_ERROR_FIELDS = /* GraphQL */ `
  fragment BillingErrorFields on BillingError {
    field
    code
    message
  }
`;

export const INVOICE_SUMMARY_FIELDS = /* GraphQL */ `
  fragment InvoiceSummaryFields on Invoice {
    id
    number
    status
    clientSlug
    clientName
    currency
    periodStart
    periodEnd
    issuedOn
    dueOn
    total
    balance
    isOverdue
    pdfUrl
    payUrl
  }
`;

export const CLIENT_INVOICES_QUERY = /* GraphQL */ `
  query ClientInvoices($clientSlug: String) {
    invoices(clientSlug: $clientSlug) {
      ...InvoiceSummaryFields
    }
  }
  ${INVOICE_SUMMARY_FIELDS}
`;

export const CLIENT_BILLING_OVERVIEW_QUERY = /* GraphQL */ `
  query ClientBillingOverview($clientSlug: String) {
    blockHourBalance(clientSlug: $clientSlug, months: 6) {
      description
      periodStart
      periodEnd
      allowanceMinutes
      rolledInMinutes
      usedMinutes
      leftMinutes
      coveredMinutes
      billableMinutes
      nonBillableMinutes
      overageRate
      currency
      history {
        periodStart
        periodEnd
        allowanceMinutes
        usedMinutes
        fromRolloverMinutes
        overageMinutes
        unusedMinutes
        expiredMinutes
      }
    }
    slaCredits(clientSlug: $clientSlug) {
      invoiceId
      invoiceNumber
      periodStart
      periodEnd
      currency
      amount
      why
    }
  }
`;

export const INVOICE_DETAIL_QUERY = /* GraphQL */ `
  query InvoiceDetail($id: ID!) {
    invoice(id: $id) {
      ...InvoiceSummaryFields
      subtotal
      creditTotal
      taxRate
      taxAmount
      amountPaid
      amountCredited
      voidReason
      lines {
        kind
        description
        quantity
        unit
        unitPrice
        proratedDays
        serviceStart
        serviceEnd
        amount
      }
      creditNotes {
        id
        number
        reason
        total
        issuedOn
      }
      payments {
        id
        amount
        method
        reference
        receivedOn
      }
    }
  }
  ${INVOICE_SUMMARY_FIELDS}
`;

export const BILLING_DASHBOARD_QUERY = /* GraphQL */ `
  query BillingDashboard($months: Int) {
    billingDashboard(months: $months) {
      draftsToReview
      mrrByServiceLine {
        month
        serviceLine
        currency
        amount
      }
      mrrByClient {
        clientSlug
        clientName
        month
        currency
        amount
      }
      arAgeing {
        bucket
        currency
        amount
        invoices
      }
    }
    billingRuns {
      id
      runOn
      trigger
      status
      startedBy
      createdAt
      progress {
        total
        draft
        approved
        issued
        failed
        nothingToBill
        done
      }
    }
  }
`;

export const BILLING_RUN_QUERY = /* GraphQL */ `
  query BillingRun($id: ID!) {
    billingRun(id: $id) {
      id
      runOn
      status
      progress {
        total
        queued
        draft
        approved
        issued
        failed
        nothingToBill
        done
      }
      items {
        id
        clientSlug
        clientName
        periodStart
        periodEnd
        status
        error
        slaJudged
        slaMet
        approvedBy
        snapshots {
          id
          kind
          lineDescription
          liveCount
          contracted
          previous
          billed
          drift
          adjusted
          adjustmentReason
          adjustedBy
        }
        invoice {
          id
          number
          currency
          total
          pdfUrl
        }
      }
    }
  }
`;

export const START_BILLING_RUN_MUTATION = /* GraphQL */ `
  mutation StartBillingRun($runOn: Date) {
    startBillingRun(runOn: $runOn) {
      run {
        id
      }
      errors {
        ...BillingErrorFields
      }
    }
  }
  ${BILLING_ERROR_FIELDS}
`;

export const ADJUST_USAGE_MUTATION = /* GraphQL */ `
  mutation AdjustUsage($snapshotId: ID!, $quantity: String!, $reason: String!) {
    adjustUsage(snapshotId: $snapshotId, quantity: $quantity, reason: $reason) {
      snapshot {
        id
      }
      errors {
        ...BillingErrorFields
      }
    }
  }
  ${BILLING_ERROR_FIELDS}
`;

export const APPROVE_RUN_ITEM_MUTATION = /* GraphQL */ `
  mutation ApproveRunItem($itemId: ID!) {
    approveRunItem(itemId: $itemId) {
      item {
        id
        status
      }
      errors {
        ...BillingErrorFields
      }
    }
  }
  ${BILLING_ERROR_FIELDS}
`;

export const ISSUE_RUN_ITEM_MUTATION = /* GraphQL */ `
  mutation IssueRunItem($itemId: ID!) {
    issueRunItem(itemId: $itemId) {
      invoice {
        id
        number
      }
      errors {
        ...BillingErrorFields
      }
    }
  }
  ${BILLING_ERROR_FIELDS}
`;

export const REDRAFT_RUN_ITEM_MUTATION = /* GraphQL */ `
  mutation RedraftRunItem($itemId: ID!) {
    redraftRunItem(itemId: $itemId) {
      item {
        id
        status
      }
      errors {
        ...BillingErrorFields
      }
    }
  }
  ${BILLING_ERROR_FIELDS}
`;

export const CLIENT_BILLING_SETUP_QUERY = /* GraphQL */ `
  query ClientBillingSetup($clientSlug: String!) {
    billingProfile(clientSlug: $clientSlug) {
      currency
      billingDay
      paymentTermsDays
      taxRate
      legalName
      billingEmail
      collectionMethod
      hasStripeCustomer
    }
    contracts(clientSlug: $clientSlug) {
      id
      name
      startsOn
      endsOn
      slaCreditCapPercent
      slaCreditTiers {
        below
        percent
      }
      lines {
        id
        pricingModel
        serviceLine
        description
        quantity
        unitPrice
        includedHours
        overageRate
        rolloverPeriods
        startsOn
        endsOn
      }
    }
  }
`;

export const SAVE_BILLING_PROFILE_MUTATION = /* GraphQL */ `
  mutation SaveBillingProfile(
    $clientSlug: String
    $currency: String
    $billingDay: Int
    $paymentTermsDays: Int
    $taxRate: String
    $legalName: String
    $billingEmail: String
    $collectionMethod: CollectionMethod
  ) {
    saveBillingProfile(
      clientSlug: $clientSlug
      currency: $currency
      billingDay: $billingDay
      paymentTermsDays: $paymentTermsDays
      taxRate: $taxRate
      legalName: $legalName
      billingEmail: $billingEmail
      collectionMethod: $collectionMethod
    ) {
      profile {
        currency
      }
      errors {
        ...BillingErrorFields
      }
    }
  }
  ${BILLING_ERROR_FIELDS}
`;

export const CREATE_CONTRACT_MUTATION = /* GraphQL */ `
  mutation CreateContract($clientSlug: String, $input: ContractInput!) {
    createContract(clientSlug: $clientSlug, input: $input) {
      contract {
        id
      }
      errors {
        ...BillingErrorFields
      }
    }
  }
  ${BILLING_ERROR_FIELDS}
`;

export const ADD_CONTRACT_LINE_MUTATION = /* GraphQL */ `
  mutation AddContractLine($contractId: ID!, $input: ContractLineInput!) {
    addContractLine(contractId: $contractId, input: $input) {
      line {
        id
      }
      errors {
        ...BillingErrorFields
      }
    }
  }
  ${BILLING_ERROR_FIELDS}
`;

export const RECORD_PAYMENT_MUTATION = /* GraphQL */ `
  mutation RecordPayment($invoiceId: ID!, $amount: String!, $reference: String) {
    recordPayment(invoiceId: $invoiceId, amount: $amount, reference: $reference) {
      payment {
        id
      }
      errors {
        ...BillingErrorFields
      }
    }
  }
  ${BILLING_ERROR_FIELDS}
`;

export const CREATE_CREDIT_NOTE_MUTATION = /* GraphQL */ `
  mutation CreateCreditNote($invoiceId: ID!, $amount: String!, $reason: String!) {
    createCreditNote(invoiceId: $invoiceId, amount: $amount, reason: $reason) {
      creditNote {
        id
      }
      errors {
        ...BillingErrorFields
      }
    }
  }
  ${BILLING_ERROR_FIELDS}
`;

// ------------------------------------------------------------- Stripe (billing/stripe_gateway)

export const STRIPE_ERROR_FIELDS = /* GraphQL */ `
  fragment StripeErrorFields on StripeError {
    field
    code
    message
  }
`;

export const STRIPE_RECONCILIATION_FIELDS = /* GraphQL */ `
  fragment StripeReconciliationFields on StripeReconciliation {
    id
    status
    startedAt
    finishedAt
    invoicesChecked
    stripeInvoicesSeen
    differenceCount
    error
    differences {
      id
      kind
      invoiceNumber
      clientName
      stripeInvoiceId
      stripeEventId
      ledgerValue
      stripeValue
      detail
    }
  }
`;

export const STRIPE_OVERVIEW_QUERY = /* GraphQL */ `
  query StripeOverview {
    stripeOverview(reports: 3) {
      enabled
      webhookConfigured
      webhookPath
      eventsNeedingAttention
      reconciliations {
        ...StripeReconciliationFields
      }
    }
  }
  ${STRIPE_RECONCILIATION_FIELDS}
`;

export const RUN_STRIPE_RECONCILIATION_MUTATION = /* GraphQL */ `
  mutation RunStripeReconciliation {
    runStripeReconciliation {
      reconciliation {
        ...StripeReconciliationFields
      }
      errors {
        ...StripeErrorFields
      }
    }
  }
  ${STRIPE_RECONCILIATION_FIELDS}
  ${STRIPE_ERROR_FIELDS}
`;


// ------------------------------------------------------------- outreach (account managers)

export const OUTREACH_ERROR_FIELDS = /* GraphQL */ `
  fragment OutreachErrorFields on OutreachError {
    field
    code
    message
  }
`;

export const FOLLOW_UP_FIELDS = /* GraphQL */ `
  fragment FollowUpFields on FollowUp {
    id
    title
    detail
    dueOn
    done
    overdue
    ticketNumber
    clientSlug
    clientName
    fromHealthFall
    owner {
      id
      fullName
    }
  }
`;

/** The account manager's board: clients by due date, riskiest first; their open follow-ups. */
export const OUTREACH_BOARD_QUERY = /* GraphQL */ `
  query OutreachBoard {
    outreachBoard {
      overdueCount
      dueThisWeekCount
      upcomingCount
      clients {
        slug
        name
        section
        lastCheckInAt
        nextPlannedAt
        nextDueOn
        daysOverdue
        healthScore
        healthBand
        openFollowUps
      }
      followUps {
        ...FollowUpFields
      }
    }
  }
  ${FOLLOW_UP_FIELDS}
`;

/** The client 360 of the account manager. */
export const CLIENT_OUTREACH_QUERY = /* GraphQL */ `
  query ClientOutreach($slug: String!) {
    clientOutreach(clientSlug: $slug) {
      slug
      name
      tier
      industry
      accountManager {
        id
        fullName
      }
      cadenceDays
      cadenceOverrideDays
      lastCheckInAt
      nextPlannedAt
      nextDueOn
      health {
        score
        band
        computedAt
        signals {
          key
          label
          source
          rule
          weight
          hasData
          value
          display
          subscore
          contribution
        }
      }
      healthHistory {
        day
        score
        band
      }
      contacts {
        id
        fullName
        email
        jobTitle
        isBusinessCritical
      }
      openTickets {
        number
        title
        priority
        status
        breachState
        nextDeadlineAt
      }
      breachedOpenTickets
      services {
        connected
        summary
        items {
          label
          state
          detail
        }
      }
      invoices {
        connected
        summary
        items {
          label
          state
          detail
        }
      }
      checkIns {
        id
        kind
        status
        subject
        notes
        sentiment
        scheduledFor
        heldAt
        contacts {
          id
          name
        }
        owner {
          id
          fullName
        }
      }
      openFollowUps {
        ...FollowUpFields
      }
      qbrReports {
        id
        status
        progress
        step
        periodStart
        periodEnd
        downloadUrl
      }
    }
  }
  ${FOLLOW_UP_FIELDS}
`;

export const LOG_CHECK_IN_MUTATION = /* GraphQL */ `
  mutation LogCheckIn($input: LogCheckInInput!) {
    logCheckIn(input: $input) {
      checkIn {
        id
        status
      }
      errors {
        ...OutreachErrorFields
      }
    }
  }
  ${OUTREACH_ERROR_FIELDS}
`;

export const SET_CHECK_IN_CADENCE_MUTATION = /* GraphQL */ `
  mutation SetCheckInCadence($slug: String!, $days: Int) {
    setCheckInCadence(clientSlug: $slug, days: $days) {
      cadenceDays
      cadenceOverrideDays
      nextDueOn
      errors {
        ...OutreachErrorFields
      }
    }
  }
  ${OUTREACH_ERROR_FIELDS}
`;

export const COMPLETE_FOLLOW_UP_MUTATION = /* GraphQL */ `
  mutation CompleteFollowUp($id: ID!, $done: Boolean) {
    completeFollowUp(followUpId: $id, done: $done) {
      followUp {
        ...FollowUpFields
      }
      errors {
        ...OutreachErrorFields
      }
    }
  }
  ${FOLLOW_UP_FIELDS}
  ${OUTREACH_ERROR_FIELDS}
`;

export const CREATE_TICKET_FROM_FOLLOW_UP_MUTATION = /* GraphQL */ `
  mutation CreateTicketFromFollowUp($id: ID!, $requesterContactId: ID) {
    createTicketFromFollowUp(followUpId: $id, requesterContactId: $requesterContactId) {
      followUp {
        ...FollowUpFields
      }
      errors {
        ...OutreachErrorFields
      }
    }
  }
  ${FOLLOW_UP_FIELDS}
  ${OUTREACH_ERROR_FIELDS}
`;

export const REQUEST_QBR_MUTATION = /* GraphQL */ `
  mutation RequestQbr($slug: String!) {
    requestQbr(clientSlug: $slug) {
      report {
        id
        status
        progress
      }
      errors {
        ...OutreachErrorFields
      }
    }
  }
  ${OUTREACH_ERROR_FIELDS}
`;

/** The IT lead's (and account manager's) QBR packs of a client. */
export const QBR_REPORTS_QUERY = /* GraphQL */ `
  query QbrReports($clientSlug: String) {
    qbrReports(clientSlug: $clientSlug) {
      id
      status
      progress
      step
      periodStart
      periodEnd
      downloadUrl
    }
  }
`;

export const SEGMENTS_QUERY = /* GraphQL */ `
  query Segments {
    segments {
      id
      name
      rules {
        field
        values
        min
        max
      }
    }
  }
`;

export const SEGMENT_CLIENTS_QUERY = /* GraphQL */ `
  query SegmentClients($id: ID!) {
    segmentClients(segmentId: $id) {
      slug
      name
      tier
      industry
    }
  }
`;

export const SAVE_SEGMENT_MUTATION = /* GraphQL */ `
  mutation SaveSegment($input: SaveSegmentInput!) {
    saveSegment(input: $input) {
      segment {
        id
        name
      }
      clientCount
      errors {
        ...OutreachErrorFields
      }
    }
  }
  ${OUTREACH_ERROR_FIELDS}
`;

export const CAMPAIGNS_QUERY = /* GraphQL */ `
  query Campaigns {
    campaigns {
      id
      name
      brief
      segmentName
      dueOn
      progress {
        total
        pending
        contacted
        responded
        followUpNeeded
      }
      tasks {
        id
        clientSlug
        clientName
        status
        response
      }
    }
  }
`;

export const CREATE_CAMPAIGN_MUTATION = /* GraphQL */ `
  mutation CreateCampaign($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      campaign {
        id
        name
      }
      errors {
        ...OutreachErrorFields
      }
    }
  }
  ${OUTREACH_ERROR_FIELDS}
`;

export const UPDATE_CAMPAIGN_TASK_MUTATION = /* GraphQL */ `
  mutation UpdateCampaignTask($input: UpdateCampaignTaskInput!) {
    updateCampaignTask(input: $input) {
      task {
        id
        status
        response
      }
      errors {
        ...OutreachErrorFields
      }
    }
  }
  ${OUTREACH_ERROR_FIELDS}
`;

export const BROADCASTS_QUERY = /* GraphQL */ `
  query Broadcasts($clientSlug: String) {
    broadcasts(clientSlug: $clientSlug) {
      id
      kind
      title
      bodyHtml
      publishAt
      publishedAt
      segmentName
      emailRoles
      audienceSize
      deflection {
        suggested
        solved
        abandoned
        submitted
        rate
      }
    }
  }
`;

export const CREATE_BROADCAST_MUTATION = /* GraphQL */ `
  mutation CreateBroadcast($input: CreateBroadcastInput!) {
    createBroadcast(input: $input) {
      broadcast {
        id
        title
      }
      errors {
        ...OutreachErrorFields
      }
    }
  }
  ${OUTREACH_ERROR_FIELDS}
`;

/** Broadcasts and how-tos matching a new request's title (client users). */
export const SUGGEST_BROADCASTS_MUTATION = /* GraphQL */ `
  mutation SuggestBroadcasts($clientSlug: String, $title: String!) {
    suggestBroadcasts(clientSlug: $clientSlug, title: $title) {
      suggestions {
        suggestionId
        broadcasts {
          id
          kind
          title
          bodyHtml
        }
      }
      errors {
        ...OutreachErrorFields
      }
    }
  }
  ${OUTREACH_ERROR_FIELDS}
`;

export const RECORD_SUGGESTION_OUTCOME_MUTATION = /* GraphQL */ `
  mutation RecordSuggestionOutcome($id: ID!, $outcome: SuggestionOutcome!, $broadcastId: ID) {
    recordSuggestionOutcome(suggestionId: $id, outcome: $outcome, broadcastId: $broadcastId) {
      ok
      errors {
        ...OutreachErrorFields
      }
    }
  }
  ${OUTREACH_ERROR_FIELDS}
`;
