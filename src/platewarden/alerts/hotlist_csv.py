"""Importing hotlist entries from CSV, with a report of every bad row.

Columns (header required): plate, region, country, reason, source, make, colour, expires_at (ISO 8601 with time
zone, or a date meaning midnight UTC). Bad rows are reported with their line number and reason; nothing is
imported unless every row is good, or the caller asks to import the good rows anyway.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from platewarden.domain.hotlist import HotlistEntry
from platewarden.domain.plates import Region, normalize_plate

REQUIRED = ("plate", "region", "reason", "source", "expires_at")
COLUMNS = (*REQUIRED, "country", "make", "colour")


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass(frozen=True)
class ParsedCsv:
    entries: list[HotlistEntry]
    errors: list[RowError]
    lines: list[int]  # the line of each entry


def decode_csv(data: bytes) -> str:
    """The file as text; a clear error naming the line for anything that is not UTF-8 text (a binary file, a
    spreadsheet saved in another encoding)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ValueError(f"line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as CSV UTF-8") \
            from None
    if "\x00" in text:
        raise ValueError(f"line {text[:text.index(chr(0))].count(chr(10)) + 1}: a NUL byte: this is not a CSV file")
    return text


def _parse_time(value: str) -> datetime:
    dt = datetime.fromisoformat(value.strip())
    if dt.tzinfo is None:
        if len(value.strip()) == 10:
            return dt.replace(tzinfo=UTC)
        raise ValueError("expires_at needs a time zone (e.g. 2027-01-31T00:00:00+00:00) or a plain date")
    return dt


def parse_hotlist_csv(text: str, added_by: str, now: datetime) -> ParsedCsv:
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:  # a stray carriage return or quote in the header line
        return ParsedCsv([], [RowError(1, f"not a CSV file: {exc}")], [])
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return ParsedCsv([], [RowError(1, f"header lacks column(s): {', '.join(missing)}")], [])
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        return ParsedCsv([], [RowError(1, f"unknown column(s): {', '.join(unknown)}")], [])
    entries, errors, lines, seen = [], [], [], set()
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:  # a field over the csv module's limit, a stray quote at the end: the file, not a row
        return ParsedCsv([], [RowError(reader.line_num, f"not a CSV file: {exc}")], [])
    for line, row in rows:
        try:
            plate = normalize_plate(row.get("plate") or "")
            if not 2 <= len(plate) <= 10:
                raise ValueError(f"plate {row.get('plate')!r} must have 2-10 letters or digits")
            try:
                region = Region((row.get("region") or "").strip().lower())
            except ValueError:
                raise ValueError(f"region {row.get('region')!r} is not one of "
                                 f"{', '.join(r.value for r in Region)}") from None
            country = (row.get("country") or "").strip().upper() or None
            if country is not None and len(country) != 2:
                raise ValueError(f"country {country!r} must be a two-letter code")
            expires = _parse_time(row.get("expires_at") or "")
            if expires <= now:
                raise ValueError(f"expires_at {expires.isoformat()} is already past")
            if (plate, region, country) in seen:
                raise ValueError(f"duplicate of an earlier row for {plate}")
            seen.add((plate, region, country))
            entries.append(HotlistEntry(
                id=str(uuid.uuid4()), plate=plate, region=region, country=country,
                reason=(row.get("reason") or "").strip(), source=(row.get("source") or "").strip(),
                make=(row.get("make") or "").strip() or None, colour=(row.get("colour") or "").strip() or None,
                added_by=added_by, added_at=now, expires_at=expires))
            lines.append(line)
        except ValueError as exc:
            errors.append(RowError(line, str(exc)))
    return ParsedCsv(entries, errors, lines)
