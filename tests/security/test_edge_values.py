"""Values outside what the database holds are 400s naming the field, on both engines,
before any stream starts; a GUID race is a 409; database errors never log a value."""

import threading
import uuid

import pytest
from conftest import assert_problem, create_customer, new_company
from reliability_util import Server

EDGES = [
    "0001-01-01T00:00:00+01:00",
    "0001-01-01T00:30:00+14:00",
    "9999-12-31T23:59:59-01:00",
    "9999-12-31T23:00:00-14:00",
]


@pytest.fixture
def customer(client, customers_url) -> dict:
    return create_customer(client, customers_url)


@pytest.mark.parametrize("value", EDGES)
def test_date_times_near_year_1_and_9999(client, customers_url, customer, value):
    n = customer["customerNumber"]
    for field in ("lastUpdatedAt", "regDate"):
        r = client.get(customers_url, params={"$filter": f"{field} gt {value}"})
        assert_problem(r, 400, "$filter")
    assert_problem(client.get(customers_url, params={"fromDate": value}), 400, "fromDate")
    assert_problem(client.get(f"{customers_url}/count", params={"fromDate": value}), 400, "fromDate")
    r = client.get(f"{customers_url}/{n}/history", params={"$filter": f"at gt {value}"})
    assert_problem(r, 400, "$filter")
    for fmt in ("csv", "xml"):  # refused before the stream starts (was: 200, then a broken body)
        assert_problem(client.get(f"{customers_url}/export.{fmt}", params={"fromDate": value}), 400, "fromDate")
        r = client.get(f"{customers_url}/export.{fmt}", params={"$filter": f"lastUpdatedAt gt {value}"})
        assert_problem(r, 400, "$filter")


def test_the_extremes_themselves_are_fine(client, customers_url, customer):
    for value in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "0001-01-01T00:00:00-01:00"):
        assert client.get(customers_url, params={"fromDate": value}).status_code == 200
    for value in ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59+01:00"):  # the grammar has no year 1
        assert client.get(customers_url, params={"$filter": f"lastUpdatedAt gt {value}"}).status_code == 200


@pytest.mark.parametrize("literal", ["1" + "0" * 40, "1e400", "-1e308", "9" * 25 + ".5", "1" + "0" * 400])
@pytest.mark.parametrize("field", ["creditLimit", "customerNumber", "version"])
def test_huge_numeric_literals(client, customers_url, customer, field, literal):
    assert_problem(client.get(customers_url, params={"$filter": f"{field} eq {literal}"}), 400, "$filter")


@pytest.mark.parametrize("op", ["lt", "le", "gt", "ge"])
@pytest.mark.parametrize("value", ["true", "false"])
def test_ordering_a_boolean_is_400(client, customers_url, customer, op, value):
    """`excluded lt true` has no meaning (hypothesis found it answered 500)."""
    for text in (f"excluded {op} {value}", f"{value} {op} excluded"):
        assert_problem(client.get(customers_url, params={"$filter": text}), 400, "$filter")
    assert client.get(customers_url, params={"$filter": f"excluded eq {value}"}).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"creditLimit": 2**70}, "creditLimit"),
        ({"creditLimit": "1e400"}, "creditLimit"),
        ({"lastName": "x" * 100_000}, "lastName"),
        ({"customerReference": "x" * 101}, "customerReference"),
        ({"dimensions": {"a": "b" * 41}}, "dimensions.a"),
        ({"birthDate": "0000-01-01"}, "birthDate"),
        ({"birthDate": "10000-01-01"}, "birthDate"),
    ],
)
def test_body_values_the_database_cannot_hold(client, customers_url, body, field):
    r = client.post(customers_url, json={"lastName": "X", **body})
    assert_problem(r, 422, field)


def test_numbers_past_a_bigint_in_paths_and_keys(client, customers_url):
    assert_problem(client.get(f"{customers_url}/{2**64}"), 404)
    r = client.post(f"{customers_url}/export.csv", json=[2**64])
    assert_problem(r, 404)


def test_parallel_creates_with_one_guid_answer_409(database_url, client):
    """A served app whose writes run concurrently (`thread`): the creates pass the service's
    check together and the database's unique key decides; the losers get 409, never 500,
    and the server's log holds no value of the bodies."""
    cuid = new_company(client)
    url = f"/v1/companies/{cuid}/customers"
    statuses: list[int] = []
    with Server(database_url, db_execution="thread") as server, server.http() as http:
        for _ in range(8):
            guid = str(uuid.uuid4())
            barrier = threading.Barrier(4)

            def create(guid=guid, barrier=barrier):
                barrier.wait()
                r = http.post(url, json={"lastName": "Racer", "customerGuid": guid, "email": "racer@example.com"})
                statuses.append(r.status_code)

            threads = [threading.Thread(target=create) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        log = server.log_tail(1_000_000)
    assert statuses.count(201) == 8 and set(statuses) <= {201, 409}, statuses
    assert "racer@example.com" not in log and "Racer" not in log, log[-2000:]
