"""Shared GraphQL machinery: the view, validation limits, typed errors, DataLoaders."""
