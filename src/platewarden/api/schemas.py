"""Request and response bodies (pydantic), separate from the domain types they carry."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from platewarden.domain.alerts import Disposition
from platewarden.domain.plates import Region
from platewarden.investigation.search_export import ExportFormat


class ApiInput(BaseModel):
    """Every API input: no unknown fields, no control characters anywhere (one place for both)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: object) -> object:
        """NUL and other control characters have no place in any field (and PostgreSQL refuses NUL)."""
        def check(v: object) -> None:
            if isinstance(v, str) and any(ord(c) < 32 and c not in "\t\n\r" for c in v):
                raise ValueError("control characters are not allowed")
            if isinstance(v, dict):
                for x in v.values():
                    check(x)
            elif isinstance(v, list | tuple):
                for x in v:
                    check(x)
        check(data)
        return data


class LoginIn(ApiInput):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=1024)
    code: str | None = Field(None, max_length=20, description="The authenticator's 6-digit code, or a recovery "
                                                               "code, where a second factor is enrolled.")


class SessionOut(BaseModel):
    username: str
    roles: list[str]
    csrf_token: str
    second_factor: str = Field(description="'ok', or 'enrol': the session may only enrol a second factor "
                                           "(POST /api/account/mfa) until it is confirmed.")


class AlertOut(BaseModel):
    id: str
    read_text: str
    hotlist_plate: str
    distance: float
    region_verified: bool
    camera_id: str
    seen_at: datetime
    confidence: float
    disposition: str | None
    hotlist_region: str | None
    hotlist_reason: str | None
    hotlist_make: str | None
    hotlist_colour: str | None
    hotlist_source: str | None
    hotlist_added_at: datetime | None
    crop_url: str


class DispositionIn(ApiInput):
    disposition: Disposition
    note: str = Field("", max_length=2000)


class HotlistIn(ApiInput):
    plate: str = Field(min_length=2, max_length=16)
    region: Region
    country: str | None = Field(None, min_length=2, max_length=2)
    reason: str = Field(min_length=1, max_length=500)
    source: str = Field(min_length=1, max_length=200)
    make: str | None = Field(None, max_length=80)
    colour: str | None = Field(None, max_length=40)
    expires_at: AwareDatetime


class HotlistOut(BaseModel):
    id: str
    plate: str
    region: str
    reason: str
    source: str
    status: str
    added_by: str
    expires_at: datetime


class ScopeIn(ApiInput):
    plates: list[str] = Field(default_factory=list, max_length=50)
    pattern: str | None = Field(None, max_length=16)
    pattern_reason: str | None = Field(None, max_length=1000)
    time_from: AwareDatetime
    time_to: AwareDatetime
    camera_ids: list[str] = Field(default_factory=list, max_length=200)
    area: tuple[float, float, float, float] | None = None
    purpose: str = Field(min_length=1, max_length=1000)
    justification: str = Field(min_length=1, max_length=4000)


class SearchRequestIn(ApiInput):
    case_number: str = Field(min_length=1, max_length=80)
    offence: str = Field(min_length=1, max_length=60)
    scope: ScopeIn
    exigent: bool = False


class DecisionIn(ApiInput):
    reason: str = Field("", max_length=2000)


class ReviewIn(ApiInput):
    upheld: bool
    reason: str = Field(min_length=1, max_length=2000)


class SearchRequestOut(BaseModel):
    id: str
    case_number: str
    offence: str
    status: str
    exigent: bool
    valid_until: datetime | None
    steps: list[dict[str, str]]
    review_overdue: bool


class QueryIn(ApiInput):
    plate: str | None = Field(None, max_length=16)
    pattern: str | None = Field(None, max_length=16)
    time_from: AwareDatetime
    time_to: AwareDatetime
    camera_ids: list[str] = Field(default_factory=list, max_length=200)
    area: tuple[float, float, float, float] | None = None


class ExportIn(QueryIn):
    format: ExportFormat = ExportFormat.PDF


class ReadOut(BaseModel):
    id: str
    text: str
    region: str
    confidence: float
    camera_id: str
    latitude: float
    longitude: float
    first_seen: datetime
    last_seen: datetime
    kmh_from_previous: float | None = Field(None, description="Speed needed since the previous sighting.")
    impossible_travel: bool = Field(False, description="Faster than a road vehicle: a cloned plate or a misread.")


class SearchResultOut(BaseModel):
    request_id: str
    results_digest: str
    reads: list[ReadOut]


class ComplaintIn(ApiInput):
    plate: str = Field(min_length=1, max_length=16)
    date: str = Field(min_length=1, max_length=40)
    place: str = Field(min_length=1, max_length=300)
    what_happened: str = Field(min_length=1, max_length=5000)
    contact: str = Field(min_length=1, max_length=300)


class RedressDecisionIn(ApiInput):
    upheld: bool
    reason: str = Field(min_length=1, max_length=5000)
    linked_alerts: list[str] = Field(default_factory=list, max_length=100)
    compensation: float | None = Field(None, ge=0, le=10_000_000)
    liable: str | None = Field(None, pattern="^(operator|supplier)$")
    compensation_reason: str = Field("", max_length=2000)
    suppress_entry: bool = False


class ComplaintOut(BaseModel):
    id: str
    state: str
    received_at: datetime
    plate: str
    date: str
    place: str
    what_happened: str
    linked_alerts: list[str]
    compensation: float | None
    liable: str | None
    suppressed_entry: str | None
