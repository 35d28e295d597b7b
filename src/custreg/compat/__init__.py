"""Compatibility endpoints: the five documented customer APIs (seeds 000-004) as thin
translations over the native services; one mapping module per API (docs/compat.md)."""
