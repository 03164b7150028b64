"""Process settings (where data lives, which database, which policy), declared once and validated at start.

Read from the environment: ``PLATEWARDEN_DATA_DIR``, ``PLATEWARDEN_DATABASE_URL``, ``PLATEWARDEN_POLICY``.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "platewarden"


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
        if env.get("PLATEWARDEN_DB_MAX_OVERFLOW"):
            values["db_max_overflow"] = env["PLATEWARDEN_DB_MAX_OVERFLOW"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)
