"""The REST API (FastAPI): thin routers over governance and the services; an app factory takes its dependencies."""

from platewarden.api.app import create_app

__all__ = ["create_app"]
