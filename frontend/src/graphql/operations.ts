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
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
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
      }
      invoices {
        connected
        summary
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
