"""Wiring in one place: what each domain adds to the customer write path, registered
explicitly at application and CLI start (importing a module registers nothing)."""

from custreg.customers import hooks
from custreg.sync import lines


def wire() -> None:
    """Register every domain's hooks; calling it again changes nothing."""
    if lines.store not in hooks.REFRESH:
        hooks.REFRESH.append(lines.store)
