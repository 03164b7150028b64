"""Process settings (where data lives, which database, which policy), declared once and validated at start.

Read from the environment: ``PLATEWARDEN_DATA_DIR``, ``PLATEWARDEN_DATABASE_URL``, ``PLATEWARDEN_POLICY``.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "platewarden"


OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Field(default_factory=default_data_dir, description="Where the embedded database, the master "
                                                                          "key file and the spool live.")
    database_url: str | None = Field(None, description="SQLAlchemy URL; SQLite in data_dir when unset. "
                                                       "PostgreSQL: postgresql://user@host/db")
    policy_file: Path | None = Field(None, description="The policy YAML; built-in defaults when unset.")
    db_pool_size: int = Field(5, ge=1, le=500, description="PostgreSQL connections each process keeps open "
                                                           "(PLATEWARDEN_DB_POOL_SIZE).")
    db_max_overflow: int = Field(10, ge=0, le=500, description="Extra PostgreSQL connections a process may open "
                                                               "under a burst (PLATEWARDEN_DB_MAX_OVERFLOW).")

    map_tiles: str = Field(OSM_TILES, description=(
        "Map tile URL template for the console's maps ({z}/{x}/{y}, optional {s}); empty for no tiles (cameras and "
        "tracks on a plain background). Each tile request tells the tile host which area a person is looking at: "
        "a deployment that must not disclose that runs its own tile server (PLATEWARDEN_MAP_TILES)."))
    map_attribution: str = Field(OSM_ATTRIBUTION, max_length=300, description="Shown on the map, as the tiles' "
                                                                              "licence requires.")

    @field_validator("map_tiles")
    @classmethod
    def _tile_template(cls, v: str) -> str:
        if v == "":
            return v
        parts = urlsplit(v.replace("{s}", "a").replace("{z}", "0").replace("{x}", "0").replace("{y}", "0"))
        loopback = parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost"}
        if (parts.scheme != "https" and not loopback) or not parts.hostname or not all(
                k in v for k in ("{z}", "{x}", "{y}")) or any(c in v for c in "'\" ;"):
            raise ValueError("PLATEWARDEN_MAP_TILES must be an https URL template with {z}, {x} and {y} (http only "
                             "to this machine), or empty for no tiles")
        return v

    @property
    def map_tile_origin(self) -> str | None:
        """The tiles' origin for the Content-Security-Policy's img-src ({s} subdomains as a wildcard)."""
        if not self.map_tiles:
            return None
        parts = urlsplit(self.map_tiles.replace("{s}", "__s__"))
        return f"{parts.scheme}://{parts.netloc.replace('__s__', '*')}"

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://")):
            raise ValueError("PLATEWARDEN_DATABASE_URL must be a sqlite:// or postgresql:// URL")
        return v

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'platewarden.db'}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        if env.get("PLATEWARDEN_DATA_DIR"):
            values["data_dir"] = Path(env["PLATEWARDEN_DATA_DIR"])
        if env.get("PLATEWARDEN_DATABASE_URL"):
            values["database_url"] = env["PLATEWARDEN_DATABASE_URL"]
        if env.get("PLATEWARDEN_POLICY"):
            values["policy_file"] = Path(env["PLATEWARDEN_POLICY"])
        if env.get("PLATEWARDEN_DB_POOL_SIZE"):
            values["db_pool_size"] = env["PLATEWARDEN_DB_POOL_SIZE"]
        if "PLATEWARDEN_MAP_TILES" in env:
            values["map_tiles"] = env["PLATEWARDEN_MAP_TILES"]
        if env.get("PLATEWARDEN_MAP_ATTRIBUTION"):
            values["map_attribution"] = env["PLATEWARDEN_MAP_ATTRIBUTION"]
        if env.get("PLATEWARDEN_DB_MAX_OVERFLOW"):
            values["db_max_overflow"] = env["PLATEWARDEN_DB_MAX_OVERFLOW"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)
