"""Issue 27: an import's progress is seen from any worker. Two `custreg serve` processes on
one database: the import is started through one, and its progress, report and error report
are read through the other (the state is in the database, sync/jobs.py), as a poll that
lands on another worker behind a load balancer would read them."""

import re
import time

import httpx
from access_util import new_client
from conftest import new_company
from fastapi.testclient import TestClient
from ui_util import served

from custreg.app import create_app
from custreg.settings import Settings

WRITER = ["customers:read", "customers:write"]
ROWS = 3000


def _sign_in(base: str, who: dict) -> httpx.Client:
    http = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
    token = re.search(r'name="csrf" value="([^"]+)"', http.get("/ui/login").text).group(1)
    r = http.post("/ui/login", data={"csrf": token, "client_id": who["clientId"], "client_secret": who["clientSecret"]})
    assert r.status_code == 303, r.text
    return http


def test_progress_started_on_one_worker_is_followed_on_another(client, database_url, tmp_path):
    cuid = new_company(client)
    clerk = new_client(client, [cuid], WRITER)
    lines = ["lastName,email"] + [f"Worker{i},w{i}@example.com" for i in range(ROWS)] + ["Broken,not-an-email"]
    body = "\n".join(lines).encode()
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    with served(database_url, tmp_path / "a") as one, served(database_url, tmp_path / "b") as other:
        first = _sign_in(one.base, clerk)
        second = httpx.Client(base_url=other.base, cookies=first.cookies, follow_redirects=False, timeout=60)
        page = first.get(f"/ui/c/{cuid}/import").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        r = first.post(f"/ui/c/{cuid}/import", data={"csrf": csrf}, files={"file": ("customers.csv", body, "text/csv")})
        assert r.status_code == 303, r.text
        progress_url = r.headers["location"]
        assert second.get(progress_url).status_code == 200  # the page, from the other worker at once

        seen: list[int] = []
        deadline = time.monotonic() + 300
        while True:
            answer = second.get(progress_url, headers={"Accept": "application/json"})
            assert answer.status_code == 200, answer.text
            state = answer.json()
            if state["finished"]:
                break
            seen.append(state["done"])
            assert time.monotonic() < deadline, state
            time.sleep(0.05)
        assert state["failure"] is None and state["rows"] == ROWS + 1 and state["done"] == ROWS + 1
        assert state["report"]["created"] == ROWS and state["report"]["failed"] == 1
        # Batches committed along the way were seen from the other worker before the end.
        assert any(0 < done < ROWS for done in seen), seen
        assert seen == sorted(seen)  # never backwards

        report = second.get(f"{progress_url}/errors.csv")
        assert report.status_code == 200
        rows = report.text.splitlines()
        assert rows[0] == "row,field,message" and rows[1].startswith(f"{ROWS + 2},email,") and len(rows) == 2

        # Another company's user does not see it, on either worker.
        elsewhere = new_company(client)
        stranger = _sign_in(other.base, new_client(client, [elsewhere], WRITER))
        assert stranger.get(progress_url, headers={"Accept": "application/json"}).status_code == 403
        own_path = progress_url.replace(f"/c/{cuid}/", f"/c/{elsewhere}/")
        assert stranger.get(own_path, headers={"Accept": "application/json"}).status_code == 404
    assert client.get(f"/v1/companies/{cuid}/customers/count").json()["count"] == ROWS


def test_a_file_over_the_row_limit_is_refused_before_any_row(client, database_url):
    cuid = new_company(client)
    clerk = new_client(client, [cuid], WRITER)
    app = create_app(Settings(database_url=database_url, admin_token="x" * 32, import_max_rows=2))
    with TestClient(app, follow_redirects=False) as http:
        token = re.search(r'name="csrf" value="([^"]+)"', http.get("/ui/login").text).group(1)
        login = {"csrf": token, "client_id": clerk["clientId"], "client_secret": clerk["clientSecret"]}
        assert http.post("/ui/login", data=login).status_code == 303
        csrf = re.search(r'name="csrf" value="([^"]+)"', http.get(f"/ui/c/{cuid}/import").text).group(1)
        body = b"lastName\nOne\nTwo\nThree\n"
        r = http.post(f"/ui/c/{cuid}/import", data={"csrf": csrf}, files={"file": ("c.csv", body, "text/csv")})
        assert r.status_code == 413, r.text
        body = b"lastName\nOne\nTwo\n"
        r = http.post(f"/ui/c/{cuid}/import", data={"csrf": csrf}, files={"file": ("c.csv", body, "text/csv")})
        assert r.status_code == 303
        deadline = time.monotonic() + 60
        while not http.get(r.headers["location"], headers={"Accept": "application/json"}).json()["finished"]:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    app.state.db.engine.dispose()
    assert client.get(f"/v1/companies/{cuid}/customers/count").json()["count"] == 2
