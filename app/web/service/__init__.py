"""Field service pages: /service/tickets, /service/tickets/[id], /service/policies,
/service/engineers, /service/agreements (docs/service.md)."""
