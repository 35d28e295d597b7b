"""The CSV export of customers that have no stored line (formatted from their columns at
export time: after an upgrade that changed LINE_FORMAT, or a plain-SQL change), over HTTP in
process on a fresh SQLite file: `N` customers imported, their stored lines deleted before
each of three exports; prints the best and the median wall time.

    .venv/bin/python bench/export_live_lines.py 20000
"""

import os
import sqlite3
import sys
import tempfile
import time

from fastapi.testclient import TestClient

from custreg.app import create_app
from custreg.db.migrate import upgrade
from custreg.settings import Settings

ADMIN = "bench-admin-token-" + "x" * 24


def main(n: int) -> None:
    path = os.path.join(tempfile.mkdtemp(), "bench.db")
    url = f"sqlite:///{path}"
    upgrade(url)
    app = create_app(Settings(database_url=url, admin_token=ADMIN))
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN}"}) as client:
        r = client.post("/v1/companies", json={"cuid": "acme", "name": "Acme", "countryCode": "FI"})
        assert r.status_code in (200, 201), r.text
        rows = ["lastName,firstName,street,zipCode,city,email"]
        rows += [f"Virtanen{i},Aino,Katu {i},00100,Helsinki,a{i}@example.fi" for i in range(n)]
        r = client.post(
            "/v1/companies/acme/customers/import",
            params={"mode": "valid-rows"},
            content="\r\n".join(rows).encode(),
            headers={"Content-Type": "text/csv"},
        )
        assert r.status_code == 200, r.text
        times = []
        for _ in range(3):
            with sqlite3.connect(path) as con:  # the customers' stored lines gone: formatted live
                con.execute("DELETE FROM customer_csv_lines")
            start = time.perf_counter()
            r = client.get("/v1/companies/acme/customers/export.csv", headers={"Accept-Encoding": "identity"})
            times.append(time.perf_counter() - start)
            assert r.status_code == 200
    times.sort()
    print(f"{n} customers formatted live: best {times[0]:.2f} s, median {times[1]:.2f} s, {len(r.content)} bytes")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
