"""Field service: policies, tickets, engineers, agreements and SLAs (docs/service.md)."""
