"""Members and invitations of a tenant: repositories, queries and actions (docs/people.md)."""
