"""People: members of a tenant, their roles, and invitations (a core area, not a module)."""
