"""Cross-client read models (public schema): the technician queue index and notifications."""
