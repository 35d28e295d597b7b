"""The scopes of section 9 of the contract, and the platform's own (docs/access.md,
"Privilege model")."""

READ = "customers:read"  # Fivaldi "käyttö"
WRITE = "customers:write"  # Fivaldi "lisäys"
DELETE = "customers:delete"
REGISTER_ADMIN = "register:admin"
ADMIN = "admin"  # company administration: the API clients of its own companies
PLATFORM = "platform:admin"  # platform administration: companies, every client, /metrics
WEBHOOKS_READ = "webhooks:read"  # a company's webhook endpoints and their deliveries (docs/events.md)
WEBHOOKS_WRITE = "webhooks:write"  # create, change, delete endpoints; rotate secrets; retry, replay
ERASE = "privacy:erase"  # erase a person's data (issue 26, docs/privacy.md)

ALL = frozenset({READ, WRITE, DELETE, REGISTER_ADMIN, ADMIN, PLATFORM, WEBHOOKS_READ, WEBHOOKS_WRITE, ERASE})

# Scopes an API client may be granted (POST /v1/clients).
CLIENT_SCOPES = ALL

# Held only by an end user's token from the trusted identity provider: the self-service
# endpoints (/v1/customer/info). Not part of ALL: the admin token has no user identity.
SELF = "customer:self"


def holds(granted: frozenset[str], scope: str) -> bool:
    """`granted` allows `scope`: it is granted, or it is `admin` and the platform's is."""
    return scope in granted or (scope == ADMIN and PLATFORM in granted)
