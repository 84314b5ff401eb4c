"""Persistence: PynamoDB models of the single table, repositories and the unit of work."""
