"""A customer of the XML export, written from its column values (docs/export.md, "XML")."""

import re
from collections.abc import Sequence
from typing import Any

from custreg.sync.csv_format import COLUMNS, text_of

_XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\r": "&#13;", "\t": "&#9;"}
_XML_ESCAPE_RE = re.compile(r"[&<>\"'\r\t]")
# Characters XML 1.0 cannot carry at all (the API refuses C0 controls; these remain).
_XML_INVALID = re.compile("[\ufffe\uffff\ud800-\udfff]")


_XML_ANY = re.compile("[&<>\"'\r\t\ufffe\uffff\ud800-\udfff]")  # either of the above


def xml_escape(value: str) -> str:
    if not _XML_ANY.search(value):  # most values: one scan
        return value
    value = _XML_INVALID.sub("\ufffd", value)
    return _XML_ESCAPE_RE.sub(lambda m: _XML_ESCAPES[m.group()], value)


def _dimensions(value: Any) -> str:
    parts = ["    <dimensions>\n"]
    for code in sorted(value):
        parts.append(f'      <dimension code="{xml_escape(str(code))}">{xml_escape(str(value[code]))}</dimension>\n')
    parts.append("    </dimensions>\n")
    return "".join(parts)


# (column name, its open tag, its close tag) in COLUMNS order.
_TAGS = tuple((name, f"    <{name}>", f"</{name}>\n") for name in COLUMNS)


def xml_customer(values: Sequence[Any]) -> str:
    """One <customer> element: an element per non-null value of `values` (COLUMNS order)."""
    parts = ["  <customer>\n"]
    for (name, open_, close), value in zip(_TAGS, values):
        if value is None:
            continue
        if name == "dimensions":
            parts.append(_dimensions(value))
            continue
        parts += (open_, xml_escape(value if type(value) is str else text_of(value) or ""), close)
    parts.append("  </customer>\n")
    return "".join(parts)
