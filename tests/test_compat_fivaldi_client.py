"""A published Fivaldi client run unchanged against custreg: PyPI `fivaldi_api_client`
(0.0.2, MIT; tried-and-tested-development/fivaldi-api-client). It builds, signs and sends
its requests itself with `requests`; its base URL is fixed to the vendor's host, so the
test routes `https://api.fivaldi.net/...` to custreg's `/compat/fivaldi/...` (what pointing
its base URL at custreg would do: the host and the mount change, nothing the client signs).

Its signing is the vendor's with its own quirks: `Content-Type: application/json` sent on
every GET but an empty content-type line signed (no body), the query signed as written.
It has no register methods, only its endpoint classes' generic `_get`; the register's GETs
are called through it."""

import json

import pytest
import requests
from access_util import new_client
from fivaldi_util import Signer

fivaldi_client = pytest.importorskip("fivaldi.client", reason="pip install fivaldi-api-client (the test extra)")
fivaldi_endpoint = pytest.importorskip("fivaldi.api.endpoint")

VENDOR_HOST = "https://api.fivaldi.net"


class ToCustreg(requests.adapters.BaseAdapter):
    """Sends what `requests` prepared to the app under test, byte for byte (method, path
    with its raw query, headers, body), at custreg's mount."""

    def __init__(self, http):
        super().__init__()
        self.http = http

    def send(self, request, **kwargs):
        path = "/compat/fivaldi" + request.url.removeprefix(VENDOR_HOST)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        r = self.http.request(request.method, path, headers=headers, content=request.body or b"")
        out = requests.Response()
        out.status_code, out.reason, out._content = r.status_code, r.reason_phrase, r.content
        out.headers = requests.structures.CaseInsensitiveDict(r.headers)
        out.url, out.request, out.encoding = request.url, request, "utf-8"
        return out

    def close(self):
        pass


@pytest.fixture
def vendor_host(anon, monkeypatch):
    adapter = ToCustreg(anon)
    original = requests.Session.get_adapter

    def get_adapter(self, url):
        return adapter if url.startswith(VENDOR_HOST) else original(self, url)

    monkeypatch.setattr(requests.Session, "get_adapter", get_adapter)
    return adapter


def test_the_published_python_client_reads_the_register(client, anon, company, vendor_host, capsys):
    api = new_client(client, [company], ["customers:read", "customers:write"])
    # Customers written through the vendor's API (the client itself has no POST).
    writer = Signer(anon, api["clientId"], api["clientSecret"])
    base = f"/customer/api/companies/{company}/customers"
    for name in ("Acme Oy", "Muu Yhtiö Oy"):
        body = {"customerName": name, "businessId": None, "email": "info@acme.fi" if name == "Acme Oy" else None}
        r = writer.post(f"{base}/createCustomer", json.dumps({k: v for k, v in body.items() if v}).encode())
        assert r.status_code == 200, r.text

    partner = fivaldi_client.FivaldiPartnerClient(api["clientId"], api["clientSecret"])
    register = fivaldi_endpoint.CompanyEndPoint(company, partner)
    listed = register._get("customers")
    assert [c["customerId"] for c in listed] == ["1", "2"] and listed[1]["customerName"] == "Muu Yhtiö Oy"
    # A query written into the path: signed as written.
    found = register._get("customers?searchWord=acme&fields=customerId,email")
    assert found == [{"customerId": "1", "email": "info@acme.fi"}]
    one = register._get("customers/2")
    assert one["customerName"] == "Muu Yhtiö Oy" and one["changeUser"] == api["clientId"]
    assert isinstance(one["customerEntityAddressDTOS"], list)
    details = register._get("customers/getCustomerRegisterBasicDetails")
    assert isinstance(details, dict) and "addressTypeDTOList" in details
    # Its errors: a non-200 answer raises, with the vendor's error body.
    with pytest.raises(RuntimeError, match="404"):
        register._get("customers/999")
    # Another partner's secret: the signature does not verify.
    wrong = fivaldi_endpoint.CompanyEndPoint(company, fivaldi_client.FivaldiPartnerClient(api["clientId"], "x"))
    with pytest.raises(RuntimeError, match="401"):
        wrong._get("customers")
    capsys.readouterr()  # the client prints every path it calls
