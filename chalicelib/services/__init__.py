"""Use cases: load, ask the domain, save in one transaction. One function per use case."""
