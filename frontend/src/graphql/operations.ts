/**
 * Every GraphQL document the SPA sends.
 *
 * Each document is a plain template string tagged with the `/* GraphQL *\/`
 * magic comment so `graphql-codegen` can pluck it and generate the matching
 * `<Name>Query` / `<Name>Mutation` / `...Variables` types into `generated.ts`.
 *
 * Fragments are declared once and interpolated into the documents that use
 * them: codegen sees every fragment globally (the plucker skips `${}`), and
 * the server gets the fragment text inline.
 */

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

export const VIEWER_QUERY =
  /* GraphQL */ `
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

export const LOGIN_MUTATION =
  /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      nextStep
      viewer {
        ...ViewerFields
      }
      errors {
        field
        message
        code
      }
    }
  }
  ${VIEWER_FIELDS}
`;

export const VERIFY_OTP_MUTATION = /* GraphQL */ `
  mutation VerifyOtp($token: String!) {
    verifyOtp(token: $token) {
      viewer {
        ...ViewerFields
      }
      errors {
        field
        message
        code
      }
    }
  }
  ${VIEWER_FIELDS}
`;

export const START_OTP_ENROLMENT_MUTATION = /* GraphQL */ `
  mutation StartOtpEnrolment {
    startOtpEnrolment {
      otpauthUri
      qrCodeSvg
      secret
      errors {
        field
        message
        code
      }
    }
  }
`;

export const CONFIRM_OTP_ENROLMENT_MUTATION =
  /* GraphQL */ `
  mutation ConfirmOtpEnrolment($token: String!) {
    confirmOtpEnrolment(token: $token) {
      backupCodes
      viewer {
        ...ViewerFields
      }
      errors {
        field
        message
        code
      }
    }
  }
  ${VIEWER_FIELDS}
`;

export const LOGOUT_MUTATION = /* GraphQL */ `
  mutation Logout {
    logout {
      ok
    }
  }
`;

export const ACCEPT_INVITATION_MUTATION =
  /* GraphQL */ `
  mutation AcceptInvitation($input: AcceptInvitationInput!) {
    acceptInvitation(input: $input) {
      nextStep
      viewer {
        ...ViewerFields
      }
      errors {
        field
        message
        code
      }
    }
  }
  ${VIEWER_FIELDS}
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
        field
        message
        code
      }
    }
  }
`;

export const INVITE_CLIENT_USER_MUTATION =
  /* GraphQL */ `
  mutation InviteClientUser($input: InviteClientUserInput!) {
    inviteClientUser(input: $input) {
      invitation {
        ...InvitationFields
      }
      errors {
        field
        message
        code
      }
    }
  }
  ${INVITATION_FIELDS}
`;
