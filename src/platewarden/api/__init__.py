"""The REST API (FastAPI): thin routers over governance and the services. ``platewarden.server`` mounts them."""
