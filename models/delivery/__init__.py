"""Delivery (core): the dispatcher that reads the outbox and sends webhooks and e-mail.

`tables.py` (endpoints, deliveries, attempts, the sender setting), `secret_box.py` (endpoint
secrets encrypted at rest), `endpoints.py` (repositories), `fanout.py` (outbox rows → deliveries),
`routes.py` (targeted deliveries a module or the core asks for: a dealer's e-mail, an invitation),
`transport.py` (the SSRF guard), `senders.py` (one webhook or e-mail attempt), `dispatcher.py`
(claim, send, record), `queries.py` / `actions.py` (what routes and pages call). docs/delivery.md.
"""
