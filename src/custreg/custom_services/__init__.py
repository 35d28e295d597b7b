"""A company's own HTTP services (CLVR's custom service definitions): configured here,
called signed through the events' sending (docs/events.md, docs/compat.md)."""
