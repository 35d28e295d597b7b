"""Rendering a page: the templates, the user's words, and the headers every page sends."""

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from custreg.ui import field_words, i18n

HERE = Path(__file__).parent
STATIC = HERE / "static"
# Everything from custreg itself: no CDN, no inline script (CSP), no framing.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

_env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))


def render(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    words = i18n.Words(i18n.choose(request))
    session = getattr(request.state, "ui", None)
    html = _env.get_template(name).render(
        request=request,
        t=words,
        lang=words.lang,
        label=lambda name: field_words.label(name, words.lang),
        field_label=lambda name: field_label(name, words.lang),
        languages=i18n.NAMES,
        session=session,
        csrf=session.csrf if session is not None else values.pop("login_csrf", ""),
        **values,
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def field_label(name: str, lang: str) -> Markup:
    """A field's label or heading: its words in `lang`, then its API name, smaller and muted
    (`<span class="api-name">`), so the integrator's name stays on the page; an unknown
    field: its API name alone."""
    text = field_words.label(name, lang)
    if text == name:
        return Markup("{}").format(name)
    return Markup('{} <span class="api-name">{}</span>').format(text, name)


def columns_of(records: list[Any]) -> list[str]:
    """The columns of a section's table: every key its records have, in first-seen order."""
    seen: dict[str, None] = {}
    for r in records:
        if isinstance(r, dict):
            seen.update(dict.fromkeys(k for k in r if k != "links"))
    return list(seen)


_env.globals["columns_of"] = columns_of
