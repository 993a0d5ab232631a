"""Infrastructure the MSP runs for a client: sites, devices, monitors, outages, availability.

Lives in each client's schema (the scheduling index of monitors is public)."""
