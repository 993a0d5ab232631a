"""Security operations for a client: incidents with SLA clocks, phishing intake, MFA coverage."""
