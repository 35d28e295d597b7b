"""Webhook deliveries connect to the address that was checked (DNS rebinding): the worker's
transport resolves the name once, checks every address and connects to those, never to
what a later lookup answers. A name resolving to loopback is refused at connect time even
when the check before the try is skipped, and reaches the receiver when private addresses
are allowed; the Host header stays the name."""

import httpx
import pytest
from events_util import receiver

from custreg.events import safety
from custreg.events.pinned import PinnedTransport


def test_a_name_that_resolves_to_loopback_is_refused_when_connecting():
    with receiver() as rec:
        port = rec.url.rsplit(":", 1)[1]
        refusing = httpx.Client(transport=PinnedTransport(allow_private=False, max_connections=2))
        with refusing, pytest.raises(safety.UnsafeUrl, match="non-public address"):
            refusing.post(f"http://localhost:{port}/pinned", content=b"{}")
        assert rec.at("/pinned") == []
        with httpx.Client(transport=PinnedTransport(allow_private=True, max_connections=2)) as http:
            r = http.post(f"http://localhost:{port}/pinned", content=b'{"a": 1}')
        assert r.status_code == 200 and r.json() == {"ok": True}
        (got,) = rec.at("/pinned")
        assert got.body == b'{"a": 1}' and got.headers["Host"] == f"localhost:{port}"


def test_every_address_of_a_name_is_checked_and_literal_addresses_are_judged_too():
    with pytest.raises(safety.UnsafeUrl):
        safety.pinned("localhost", 443, allow_private=False)
    with pytest.raises(safety.UnsafeUrl):
        safety.pinned("169.254.169.254", 80, allow_private=False)  # the metadata address
    with pytest.raises(safety.UnsafeUrl):
        safety.pinned("::ffff:10.0.0.1", 443, allow_private=False)
    assert safety.pinned("93.184.215.14", 443, allow_private=False) == ["93.184.215.14"]
    assert "127.0.0.1" in safety.pinned("127.0.0.1", 443, allow_private=True)
