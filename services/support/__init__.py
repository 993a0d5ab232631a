"""The service desk (tenant schema): tickets, replies, internal notes, attachments, time."""
