"""Requests signed as Fivaldi's clients sign them: an implementation of the vendor's
documented algorithm of its own (not the server's), to send requests byte for byte."""

import base64
import hashlib
import hmac
import time
from urllib.parse import quote

MOUNT = "/compat/fivaldi"


def string_to_sign(method: str, path: str, query: str, body: bytes, content_type: str, partner: str, stamp: str) -> str:
    md5 = hashlib.md5(body).hexdigest() if body else ""
    lines = [method, md5, content_type if body else "", f"x-fivaldi-partner:{partner}", f"x-fivaldi-timestamp:{stamp}"]
    lines.append(path)
    text = "\n".join(lines)
    return text + "\n" + query if query else text


def sign(secret: str, text: str) -> str:
    return base64.b64encode(hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).digest()).decode()


def encode_component(s: str) -> str:
    """JavaScript's encodeURIComponent."""
    return quote(s, safe="-_.!~*'()")


class Signer:
    """A Fivaldi client: `partner` = a custreg clientId, `secret` = its clientSecret.
    `mounted`: the base URL ends in /compat/fivaldi/customer/api and the client signs the
    path after the host's mount (True) or the whole request path (False)."""

    def __init__(self, http, partner: str, secret: str, mounted: bool = True):
        self.http, self.partner, self.secret, self.mounted = http, partner, secret, mounted

    def request(
        self,
        method: str,
        path: str,
        *,
        wire_query: str = "",
        signed_query: str | None = None,
        body: bytes = b"",
        content_type: str | None = None,
        stamp: int | None = None,
        send_body: bytes | None = None,
        headers: dict | None = None,
    ):
        """`path` starts at /customer/api; the query as sent (`wire_query`) and as signed."""
        stamp_s = str(int(time.time()) if stamp is None else stamp)
        signed_path = path if self.mounted else MOUNT + path
        signed_q = wire_query if signed_query is None else signed_query
        text = string_to_sign(method, signed_path, signed_q, body, content_type or "", self.partner, stamp_s)
        h = {
            "Authorization": f"Fivaldi {sign(self.secret, text)}",
            "X-Fivaldi-Partner": self.partner,
            "X-Fivaldi-Timestamp": stamp_s,
        }
        if content_type is not None:
            h["Content-Type"] = content_type
        h.update(headers or {})
        url = MOUNT + path + (f"?{wire_query}" if wire_query else "")
        return self.http.request(method, url, content=body if send_body is None else send_body, headers=h)

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, body: bytes, **kw):
        kw.setdefault("content_type", "application/json")
        return self.request("POST", path, body=body, **kw)
