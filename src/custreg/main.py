"""ASGI entry point for uvicorn: `custreg.main:app`."""

from custreg.app import create_app

app = create_app()
