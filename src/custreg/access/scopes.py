"""The scopes of section 9 of the contract."""

READ = "customers:read"  # Fivaldi "käyttö"
WRITE = "customers:write"  # Fivaldi "lisäys"
DELETE = "customers:delete"
REGISTER_ADMIN = "register:admin"
ADMIN = "admin"
ERASE = "privacy:erase"  # erase a person's data (issue 26, docs/privacy.md)

ALL = frozenset({READ, WRITE, DELETE, REGISTER_ADMIN, ADMIN, ERASE})

# Scopes an API client may be granted (POST /v1/clients).
CLIENT_SCOPES = ALL

# Held only by an end user's token from the trusted identity provider: the self-service
# endpoints (/v1/customer/info). Not part of ALL: the admin token has no user identity.
SELF = "customer:self"
