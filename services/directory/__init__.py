"""The client's own directory of people (tenant schema): contacts who raise requests."""
