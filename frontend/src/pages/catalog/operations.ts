/**
 * GraphQL documents for the SLA catalog (calendars, policies and their targets, triage matrix)
 * and a client's SLA choice. Plucked by codegen like `src/graphql/operations.ts`
 * (its `documents` glob covers `src/**`); types land in `src/graphql/generated.ts`.
 */

export const CALENDAR_FIELDS = /* GraphQL */ `
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

export const POLICY_FIELDS = /* GraphQL */ `
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

export const TRIAGE_CELL_FIELDS = /* GraphQL */ `
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
  ${CALENDAR_FIELDS}
  ${POLICY_FIELDS}
  ${TRIAGE_CELL_FIELDS}
`;

export const SAVE_BUSINESS_CALENDAR_MUTATION = /* GraphQL */ `
  mutation SaveBusinessCalendar($input: CalendarInput!) {
    saveBusinessCalendar(input: $input) {
      calendar {
        ...CatalogCalendarFields
      }
      errors {
        field
        code
        message
      }
    }
  }
  ${CALENDAR_FIELDS}
`;

/** Create a policy (with targets P1–P4) or rename it, change its calendar, make it the default. */
export const SAVE_SLA_POLICY_MUTATION = /* GraphQL */ `
  mutation SaveSlaPolicy($input: PolicyInput!) {
    saveSlaPolicy(input: $input) {
      policy {
        ...CatalogPolicyFields
      }
      errors {
        field
        code
        message
      }
    }
  }
  ${POLICY_FIELDS}
`;

export const SAVE_SLA_TARGETS_MUTATION = /* GraphQL */ `
  mutation SaveSlaTargets($policyId: ID!, $targets: [TargetInput!]!, $warningThresholds: [Float!]) {
    saveSlaTargets(policyId: $policyId, targets: $targets, warningThresholds: $warningThresholds) {
      policy {
        ...CatalogPolicyFields
      }
      errors {
        field
        code
        message
      }
    }
  }
  ${POLICY_FIELDS}
`;

export const SAVE_TRIAGE_RULE_MUTATION = /* GraphQL */ `
  mutation SaveTriageRule($impact: Level!, $urgency: Level!, $priority: Priority!) {
    saveTriageRule(impact: $impact, urgency: $urgency, priority: $priority) {
      cell {
        ...CatalogTriageCellFields
      }
      errors {
        field
        code
        message
      }
    }
  }
  ${TRIAGE_CELL_FIELDS}
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
  ${POLICY_FIELDS}
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
        field
        code
        message
      }
    }
  }
  ${POLICY_FIELDS}
`;
