"""`/docs` (Swagger UI) and `/redoc` (ReDoc) with their scripts and styles served by custreg
itself, from the files the `fastapi-offline` package ships (Swagger UI 5, ReDoc 2): the pages
work with no network. FastAPI's own pages load them from a CDN."""

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS, REDOC, OAUTH2_REDIRECT = "/docs", "/redoc", "/docs/oauth2-redirect"
ASSETS = "/docs-assets"  # swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js, favicon.png
# Images from this server or inline only: ReDoc's sidebar shows its maker's logo from their CDN,
# which a browser would fetch on every visit, and no image is worth a request to another host.
IMAGES_HERE = {"Content-Security-Policy": "img-src 'self' data:"}


def assets_directory() -> str:
    return str(files("fastapi_offline").joinpath("static"))


def install(app: FastAPI) -> None:
    """Add the two pages and their assets to an app made with docs_url=None, redoc_url=None."""
    app.mount(ASSETS, StaticFiles(directory=assets_directory()), name="docs-assets")

    def prefix(request: Request) -> str:
        return request.scope.get("root_path", "")

    @app.get(DOCS, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = prefix(request)
        page = get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT}",
            swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
            # No badge from validator.swagger.io (Swagger UI sends it the spec's URL).
            swagger_ui_parameters={"validatorUrl": None},
        )
        page.headers.update(IMAGES_HERE)
        return page

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = prefix(request)
        page = get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS}/favicon.png",
            with_google_fonts=False,
        )
        page.headers.update(IMAGES_HERE)
        return page
