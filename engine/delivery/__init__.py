"""Delivery (core): what leaves the building — signed webhooks and e-mail — as pure rules.

The event registry (named, versioned event types with JSON schemas), Standard Webhooks signing,
the retry schedule, the address policy of the SSRF guard and the endpoint's machine. The models
layer (models/delivery/) reads the outbox, fans it out into deliveries and sends them
(docs/delivery.md).
"""
