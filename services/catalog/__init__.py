"""The MSP's service catalog (public schema): business calendars, SLA policies, triage."""
