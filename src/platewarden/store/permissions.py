"""The data directory and the SQLite database are for this service's account alone: created 0700 and 0600, and
checked at every start (a clear refusal otherwise).

Why: the database holds password hashes, case numbers, search purposes and hotlist reasons in the clear, and the data
directory holds the master key. Under the usual umask 022 they would be created readable by every local account.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.engine import make_url


class PermissionsError(RuntimeError):
    """Files that others may read: says which and what to run."""


def _open_to_others(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode) & (stat.S_IRWXG | stat.S_IRWXO)


def secure_data_dir(path: Path) -> None:
    """Create the folder 0700, or refuse one that group or others may enter."""
    if not path.exists():
        path.mkdir(parents=True, mode=0o700)
        os.chmod(path, 0o700)  # mkdir's mode is cut by the umask; a stricter umask must not loosen it either
    elif _open_to_others(path):
        raise PermissionsError(f"{path} is open to other accounts (mode {stat.S_IMODE(path.stat().st_mode):o}): "
                               f"chmod 700 {path}")


def secure_sqlite_file(database_url: str) -> None:
    """For a SQLite file: create it 0600 before SQLite does (its WAL and shared-memory files take its mode), or
    refuse a database, WAL or shared-memory file that others may read."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        return
    db = Path(url.database)
    if not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(db, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for f in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        if f.exists() and _open_to_others(f):
            raise PermissionsError(f"{f} is readable by other accounts (mode {stat.S_IMODE(f.stat().st_mode):o}): "
                                   f"chmod 600 {f}")


@contextmanager
def private_file(path: Path) -> Iterator[BinaryIO]:
    """Open ``path`` for writing, readable by this account alone (0600), whatever the umask and whatever mode an
    earlier file there had. For what leaves the store in plaintext on purpose (evidence and share packages,
    compliance snapshots): another local account must not read it by default."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as f:
        yield f
