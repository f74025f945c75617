"""Pure domain logic: no database, no web framework, no queue. Everything here is testable in isolation."""
