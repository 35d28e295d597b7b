"""Issue 26: `custreg prune` removes audit entries older than the configured retention."""

import datetime as dt
import uuid

from conftest import create_customer
from sqlalchemy import create_engine, update
from sync_util import custreg_cli

from custreg.customers.models import AuditEntry


def test_prune_removes_old_audit_entries_only(client, customers_url, database_url):
    old = create_customer(client, customers_url, lastName="Old")
    new = create_customer(client, customers_url, lastName="New")
    assert client.patch(f"{customers_url}/{old['customerNumber']}", json={"email": "o@example.fi"}).status_code == 200
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:  # the old customer's trail was written 400 days ago
            conn.execute(
                update(AuditEntry)
                .where(AuditEntry.customer_number == old["customerNumber"])
                .values(at=dt.datetime.now(dt.UTC) - dt.timedelta(days=400))
                .where(AuditEntry.customer_guid == uuid.UUID(old["customerGuid"]))
            )
    finally:
        engine.dispose()
    r = custreg_cli(database_url, "prune")
    assert r.returncode == 0 and "audit entries kept" in r.stderr, r.stderr
    assert client.get(f"{customers_url}/{old['customerNumber']}/history").json()["total"] == 2
    r = custreg_cli(database_url, "prune", "--audit-days", "365")
    assert r.returncode == 0, r.stderr
    assert "audit entries older than 365 days deleted" in r.stderr
    r = client.get(f"{customers_url}/{old['customerNumber']}/history")
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 0
    assert client.get(f"{customers_url}/{new['customerNumber']}/history").json()["total"] == 1
