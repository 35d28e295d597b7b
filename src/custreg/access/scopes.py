"""The scopes of section 9 of the contract."""

READ = "customers:read"  # Fivaldi "käyttö"
WRITE = "customers:write"  # Fivaldi "lisäys"
DELETE = "customers:delete"
REGISTER_ADMIN = "register:admin"
ADMIN = "admin"

ALL = frozenset({READ, WRITE, DELETE, REGISTER_ADMIN, ADMIN})
