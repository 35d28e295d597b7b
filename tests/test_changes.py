"""The change feed (contract section 8): order, tombstones, polling, no skipped change
under concurrent writers, retention."""

import random
import threading
import time

import pytest
from conftest import assert_problem, create_customer, new_company
from sync_util import custreg_cli, http, live_server


def changes(client, cuid, cursor=None, limit=None):
    params = {}
    if cursor is not None:
        params["cursor"] = cursor
    if limit is not None:
        params["limit"] = limit
    r = client.get(f"/v1/companies/{cuid}/changes", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_feed_has_every_create_update_and_delete_in_order(client, company, customers_url):
    a = create_customer(client, customers_url, lastName="Aalto")
    b = create_customer(client, customers_url, lastName="Berg")
    assert client.patch(f"{customers_url}/{a['customerGuid']}", json={"firstName": "Alvar"}).status_code == 200
    assert client.delete(f"{customers_url}/{b['customerNumber']}").status_code == 204

    page = changes(client, company)
    got = [(c["customerGuid"], c["customerNumber"], c["op"]) for c in page["changes"]]
    assert got == [
        (a["customerGuid"], a["customerNumber"], "upsert"),
        (b["customerGuid"], b["customerNumber"], "upsert"),
        (a["customerGuid"], a["customerNumber"], "upsert"),
        (b["customerGuid"], b["customerNumber"], "delete"),
    ]
    cursors = [int(c["cursor"]) for c in page["changes"]]
    assert cursors == sorted(cursors) and len(set(cursors)) == 4
    assert page["nextCursor"] == page["changes"][-1]["cursor"]
    assert all(c["at"].endswith("Z") for c in page["changes"])

    # Polling: nothing new → no changes and the same cursor back.
    again = changes(client, company, cursor=page["nextCursor"])
    assert again == {"changes": [], "nextCursor": page["nextCursor"]}
    # Paging with limit walks the same sequence.
    first = changes(client, company, limit=3)
    rest = changes(client, company, cursor=first["nextCursor"], limit=3)
    assert [c["cursor"] for c in first["changes"] + rest["changes"]] == [str(c) for c in cursors]
    # A record change (sub-resource) is a change of the customer too.
    r = client.post(f"{customers_url}/{a['customerGuid']}/addresses", json={"addressType": "DELIVERY", "city": "Espoo"})
    assert r.status_code == 201, r.text
    newer = changes(client, company, cursor=page["nextCursor"])
    assert [(c["customerGuid"], c["op"]) for c in newer["changes"]] == [(a["customerGuid"], "upsert")]


def test_empty_feed_and_bad_parameters(client, company):
    assert changes(client, company) == {"changes": [], "nextCursor": "0"}
    assert changes(client, company, cursor="12345") == {"changes": [], "nextCursor": "12345"}
    assert_problem(client.get(f"/v1/companies/{company}/changes", params={"cursor": "abc"}), 400, "cursor")
    assert_problem(client.get(f"/v1/companies/{company}/changes", params={"cursor": "-1"}), 400, "cursor")
    for bad in ("9" * 19, "9" * 40, "１２"):
        assert_problem(client.get(f"/v1/companies/{company}/changes", params={"cursor": bad}), 400, "cursor")
    assert_problem(client.get(f"/v1/companies/{company}/changes", params={"limit": 0}), 400, "limit")
    assert_problem(client.get(f"/v1/companies/{company}/changes", params={"limit": 1001}), 400, "limit")
    assert_problem(client.get("/v1/companies/no-such-co/changes"), 404)


def test_feed_is_per_company(client, company, customers_url):
    other = new_company(client)
    create_customer(client, f"/v1/companies/{other}/customers", lastName="Other")
    mine = create_customer(client, customers_url, lastName="Mine")
    assert [c["customerGuid"] for c in changes(client, company)["changes"]] == [mine["customerGuid"]]


def test_a_cursor_never_passes_an_uncommitted_writer(app, client, company, customers_url):
    """Writer A changes a customer and has not committed; writer B changes another customer
    and commits. A reader must not be handed B's change (and a cursor past it) before A's:
    B waits for A (SQLite: BEGIN IMMEDIATE; PostgreSQL: the feed's advisory lock)."""
    from custreg.companies import service as companies
    from custreg.customers import service

    a = create_customer(client, customers_url, lastName="Writer-A")
    b = create_customer(client, customers_url, lastName="Writer-B")
    start = changes(client, company)["nextCursor"]
    db = app.state.db

    sa = db.session(write=True)
    co = companies.get(sa, company)
    ca = service.get(sa, co, a["customerGuid"], for_update=True)
    service.patch(sa, co, ca, {"firstName": "First"})  # flushed: its change row exists

    b_done = threading.Event()

    def writer_b():
        sb = db.session(write=True)
        try:
            cob = companies.get(sb, company)
            cb = service.get(sb, cob, b["customerGuid"], for_update=True)
            service.patch(sb, cob, cb, {"firstName": "Second"})
            sb.commit()
        finally:
            sb.close()
            b_done.set()

    t = threading.Thread(target=writer_b)
    t.start()
    time.sleep(0.7)
    assert not b_done.is_set(), "writer B committed while A's change was in flight"
    assert changes(client, company, cursor=start)["changes"] == []
    sa.commit()
    sa.close()
    t.join(20)
    assert b_done.is_set()
    got = changes(client, company, cursor=start)["changes"]
    assert [c["customerGuid"] for c in got] == [a["customerGuid"], b["customerGuid"]]


def _writer(base, cuid, seed, ops, errors):
    rng = random.Random(seed)
    mine: list[str] = []
    url = f"/v1/companies/{cuid}/customers"
    with http(base) as h:
        for i in range(ops):
            action = rng.random()
            try:
                if not mine or action < 0.4:
                    r = h.post(url, json={"lastName": f"W{seed}-{i}", "city": rng.choice(["Oulu", "Turku"])})
                    assert r.status_code == 201, r.text
                    mine.append(r.json()["customerGuid"])
                elif action < 0.8:
                    r = h.patch(f"{url}/{rng.choice(mine)}", json={"firstName": f"v{i}"})
                    assert r.status_code == 200, r.text
                else:
                    guid = mine.pop(rng.randrange(len(mine)))
                    r = h.delete(f"{url}/{guid}")
                    assert r.status_code == 204, r.text
            except Exception as exc:
                errors.append(repr(exc))
                return


@pytest.mark.timeout(900)
def test_mirror_following_the_feed_equals_the_register_under_concurrent_writers(database_url, client):
    cuid = new_company(client)
    url = f"/v1/companies/{cuid}/customers"
    mirror: dict[str, dict] = {}
    errors: list[str] = []
    with live_server(database_url) as base:
        writers = [threading.Thread(target=_writer, args=(base, cuid, seed, 60, errors)) for seed in range(4)]
        stop = threading.Event()
        cursor = {"value": ""}

        def follow(h) -> int:
            page = h.get(f"/v1/companies/{cuid}/changes", params={"cursor": cursor["value"], "limit": 25}).json()
            for ch in page["changes"]:
                if ch["op"] == "delete":
                    mirror.pop(ch["customerGuid"], None)
                    continue
                r = h.get(f"{url}/{ch['customerGuid']}")
                if r.status_code == 404:  # deleted meanwhile: its tombstone follows
                    continue
                assert r.status_code == 200, r.text
                mirror[ch["customerGuid"]] = r.json()
            cursor["value"] = page["nextCursor"]
            return len(page["changes"])

        def mirror_loop():
            with http(base) as h:
                while not stop.is_set():
                    follow(h)

        m = threading.Thread(target=mirror_loop)
        m.start()
        for w in writers:
            w.start()
        for w in writers:
            w.join(120)
        stop.set()
        m.join(60)
        with http(base) as h:
            while follow(h):
                pass
    assert not errors, errors
    register = {}
    skip = 0
    while True:
        r = client.get(url, params={"$top": 100, "$skip": skip, "includeExcluded": "true"})
        page = r.json()
        for c in page["value"]:
            register[c["customerGuid"]] = client.get(f"{url}/{c['customerGuid']}").json()
        skip += 100
        if skip >= page["total"]:
            break
    assert register, "the writers created nobody"
    assert mirror.keys() == register.keys()
    for guid, c in register.items():
        assert mirror[guid]["version"] == c["version"], guid
        assert mirror[guid] == c


def test_prune_compacts_the_feed_and_old_cursors_get_410(database_url, client):
    cuid = new_company(client)
    url = f"/v1/companies/{cuid}/customers"
    keep = create_customer(client, url, lastName="Keep")
    gone = create_customer(client, url, lastName="Gone")
    client.patch(f"{url}/{keep['customerGuid']}", json={"firstName": "Again"})
    assert client.delete(f"{url}/{gone['customerGuid']}").status_code == 204
    old = changes(client, cuid)
    assert len(old["changes"]) == 4
    first_cursor = old["changes"][0]["cursor"]

    # Another company writes last, so this company's newest entry is not the table's newest.
    create_customer(client, f"/v1/companies/{new_company(client)}/customers")
    r = custreg_cli(database_url, "prune", "--days", "0")
    assert r.returncode == 0, r.stderr
    assert "entries removed" in r.stderr

    # From scratch: the latest entry of every live customer is still there.
    fresh = changes(client, cuid)
    assert [(c["customerGuid"], c["op"]) for c in fresh["changes"]] == [(keep["customerGuid"], "upsert")]
    # A cursor from before the removed tombstone may have missed it: 410.
    assert_problem(client.get(f"/v1/companies/{cuid}/changes", params={"cursor": first_cursor}), 410, "cursor")
    # The latest cursor still works.
    assert changes(client, cuid, cursor=old["nextCursor"])["changes"] == []
