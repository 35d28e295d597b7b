"""Events: the outbox the write path fills, webhook endpoints, their deliveries, the AMQP sink
(docs/events.md)."""
