"""Actions: questions with allowed responses; the response endpoint's rules."""

import uuid

from conftest import assert_problem, create_customer

QUESTION = {
    "actionItemCode": "CONFIRM_ADDRESS",
    "message": "Is your address still valid?",
    "processAt": "2026-12-01T08:00:00Z",
    "allowPostpone": False,
    "actionCategoryCode": "KYC",
    "actionCategoryDescription": "Know your customer",
    "responses": ["ACCEPT", "REJECT"],
}


def test_response_must_be_allowed_and_is_recorded(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerGuid']}/actions"
    r = client.post(url, json=QUESTION)
    assert r.status_code == 201, r.text
    action = r.json()
    assert action["responses"] == ["ACCEPT", "REJECT"] and action["loggedAt"] and action["response"] is None
    answer = f"{url}/{action['actionGuid']}/response"
    body = assert_problem(client.post(answer, json={"response": "MAYBE"}), 422, "response")
    assert "ACCEPT" in body["errors"][0]["message"] and "REJECT" in body["errors"][0]["message"]
    assert_problem(client.post(answer, json={"postponeTo": "2027-01-01T00:00:00Z"}), 422, "postponeTo")
    assert_problem(
        client.post(answer, json={"response": "ACCEPT", "postponeTo": "2027-01-01T00:00:00Z"}), 422, "postponeTo"
    )
    assert client.get(f"{url}/{action['actionGuid']}").json()["response"] is None  # nothing recorded
    before = client.get(f"{customers_url}/{c['customerGuid']}").json()["version"]
    r = client.post(answer, json={"response": "accept", "note": "Yes, still valid"})
    assert r.status_code == 200, r.text
    done = client.get(f"{url}/{action['actionGuid']}").json()
    assert done["response"] == "ACCEPT" and done["responseNote"] == "Yes, still valid"
    assert done["respondedBy"] == "admin:admin" and done["respondedAt"]
    assert client.get(f"{customers_url}/{c['customerGuid']}").json()["version"] > before
    assert_problem(client.post(answer, json={"response": "REJECT"}), 409, "response")
    assert client.get(url, params={"$filter": "response eq 'ACCEPT'"}).json()["total"] == 1
    full = client.get(f"{customers_url}/{c['customerGuid']}").json()
    assert [a["response"] for a in full["actions"]] == ["ACCEPT"]


def test_postpone_when_allowed_then_answer(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerGuid']}/actions"
    action = client.post(url, json={**QUESTION, "allowPostpone": True, "responses": ["YES", "NO", "YES"]}).json()
    assert action["responses"] == ["YES", "NO"]
    answer = f"{url}/{action['actionGuid']}/response"
    r = client.post(answer, json={"postponeTo": "2027-02-01T09:00:00Z", "note": "ask later"})
    assert r.status_code == 200, r.text
    assert r.json()["postponeTo"].startswith("2027-02-01T09:00:00") and r.json()["response"] is None
    r = client.post(answer, json={"response": "NO"})
    assert r.status_code == 200 and r.json()["response"] == "NO" and r.json()["postponeTo"] is None
    assert_problem(client.post(answer, json={}), 422, "response")


def test_action_crud_and_errors(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerGuid']}/actions"
    assert_problem(client.post(url, json={**QUESTION, "responses": []}), 422, "responses")
    assert_problem(client.post(url, json={k: v for k, v in QUESTION.items() if k != "responses"}), 422, "responses")
    assert_problem(client.post(url, json={**QUESTION, "processAt": "soon"}), 422, "processAt")
    action = client.post(url, json=QUESTION).json()
    r = client.put(f"{url}/{action['actionGuid']}", json={"responses": ["OK"], "message": "Changed"})
    assert r.status_code == 200 and r.json()["message"] == "Changed" and r.json()["actionItemCode"] is None
    assert r.json()["allowPostpone"] is False
    assert_problem(client.post(f"{url}/{uuid.uuid4()}/response", json={"response": "OK"}), 404)
    assert_problem(client.post(f"{url}/{action['actionGuid']}/response", json={"response": "OK", "x": 1}), 422, "x")
    assert client.delete(f"{url}/{action['actionGuid']}").status_code == 204
    assert client.get(url).json()["total"] == 0
