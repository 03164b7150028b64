"""Who decrypted what, when and why. Every decrypting access to personal data is written here by governance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, insert, select

from platewarden.store.schema import access_log


def record_access(engine: Engine, at: datetime, actor: str, action: str, subject: str, purpose: str) -> None:
    with engine.begin() as conn:
        conn.execute(insert(access_log).values(at=at, actor=actor, action=action, subject=subject, purpose=purpose))


def access_entries(engine: Engine) -> list[tuple[datetime, str, str, str, str]]:
    with engine.connect() as conn:
        return [(r.at, r.actor, r.action, r.subject, r.purpose)
                for r in conn.execute(select(access_log).order_by(access_log.c.id))]
