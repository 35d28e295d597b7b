"""Visma Fivaldi Customer API, the customer register: auth (HMAC signature), dto (the
vendor's DTOs), mapping (DTO ↔ native), service, routes, basic (basic details)."""
