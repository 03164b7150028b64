"""The policy model. Defaults follow the seed: ordinary reads kept 30 days, three-level approval for historical
searches, at most 2 cameras per km of road. Every field says what it does, because a city council reads this."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from platewarden.domain.roles import Role as Role  # re-exported: the policy's readers name roles from here too

if TYPE_CHECKING:
    from platewarden.recognition.jurisdictions import JurisdictionHint


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RetentionPolicy(_Strict):
    ordinary_days: int = Field(30, ge=1, le=3650, description="Days an ordinary read (no case, no hit) is kept "
                                                             "before its day is destroyed.")
    jurisdiction_cap_days: int | None = Field(None, ge=1, description="The longest retention the law of this "
                                                                      "jurisdiction allows; a warning is given when "
                                                                      "ordinary_days exceeds it.")
    hold_review_days: int = Field(90, ge=1, le=3650, description="A legal hold must be reviewed at least this often.")
    cap_exception: str | None = Field(None, min_length=20, max_length=2000, description=(
        "Why ordinary_days may exceed jurisdiction_cap_days (a statute, a court order), recorded with the policy; "
        "without it such a policy is refused."))

    @model_validator(mode="after")
    def _within_the_law(self) -> RetentionPolicy:
        cap = self.jurisdiction_cap_days
        if cap is not None and self.ordinary_days > cap and not self.cap_exception:
            raise ValueError(f"ordinary_days ({self.ordinary_days}) exceeds jurisdiction_cap_days ({cap}): shorten it "
                             "or record the legal ground in cap_exception")
        return self


class ApprovalChains(_Strict):
    historical_search: list[Role] = Field(
        default=[Role.OFFICER, Role.DEPARTMENT_HEAD, Role.PROSECUTOR],
        description="Who applies for and who approves a search of stored reads, in order; the first role applies.")
    hotlist_entry: list[Role] = Field(default=[Role.OFFICER, Role.DEPARTMENT_HEAD],
                                      description="Who proposes and who approves a hotlist entry.")
    zone_watch: list[Role] = Field(default=[Role.OFFICER, Role.DEPARTMENT_HEAD, Role.PROSECUTOR, Role.ETHICS_BOARD],
                                   description="Who designates and approves a watched zone.")
    camera_deployment: list[Role] = Field(default=[Role.DEPARTMENT_HEAD, Role.ETHICS_BOARD],
                                          description="Who proposes and who decides a camera deployment.")
    sharing_agreement: list[Role] = Field(default=[Role.DEPARTMENT_HEAD, Role.PROSECUTOR],
                                          description="Who proposes and who approves an agreement to share reads "
                                                      "with another agency.")
    policy_change: list[Role] = Field(default=[Role.ADMINISTRATOR, Role.DEPARTMENT_HEAD, Role.ETHICS_BOARD],
                                      description="Who proposes and who approves a change of this policy.")
    notification_outlet: list[Role] = Field(default=[Role.ADMINISTRATOR, Role.DEPARTMENT_HEAD],
                                            description="Who proposes and who approves an alert webhook (an outlet "
                                                        "every later alert is sent to).")

    @field_validator("*")
    @classmethod
    def _chain_shape(cls, chain: list[Role]) -> list[Role]:
        if len(chain) < 2:
            raise ValueError("an approval chain needs an applicant and at least one approver")
        if len(set(chain)) != len(chain):
            raise ValueError("a role appears twice in the chain (the applicant's role may not approve, and no role "
                             "approves twice): separation of duties needs different roles")
        return chain


class ExigentPolicy(_Strict):
    categories: list[str] = Field(default=["child_abduction", "imminent_threat_to_life"],
                                  description="Offence categories that may search at once, reviewed afterwards.")
    authorization_hours: int = Field(4, ge=1, le=24, description="How long an exigent authorization stays valid.")
    review_within_hours: int = Field(24, ge=1, le=72, description="Department head and prosecutor must review an "
                                                                  "exigent search within this many hours.")
    max_window_hours: int = Field(72, ge=1, le=24 * 30, description="An exigent search covers at most this many "
                                                                    "hours (ordinary ones: search.max_window_days).")
    min_pattern_characters: int = Field(5, ge=3, le=10, description="A partial pattern in an exigent search names "
                                                                    "at least this many characters.")
    max_per_officer_per_week: int = Field(3, ge=1, le=1000, description="Exigent searches one officer may start in "
                                                                      "seven days.")


class SearchPolicy(_Strict):
    valid_days: int = Field(30, ge=1, le=365, description="How long a fully approved search authorization stays "
                                                          "valid before it must be applied for again.")
    max_window_days: int = Field(90, ge=1, le=3650, description="The longest time window one search may cover.")
    offences: list[str] = Field(default=[
        "homicide", "kidnapping", "child_abduction", "robbery", "burglary", "vehicle_theft", "assault",
        "sexual_offence", "drug_trafficking", "smuggling", "fraud", "hit_and_run", "missing_person",
        "imminent_threat_to_life", "terrorism"], description="The fixed list of offence categories a search "
                                                              "request must name.")


class DeploymentPolicy(_Strict):
    max_cameras_per_km: float = Field(2.0, gt=0, le=50, description="Most cameras per km of a road segment "
                                                                    "(Vancouver's public decision: 2).")
    public_comment_days: int = Field(30, ge=0, le=365, description="Length of the public comment period on a "
                                                                   "camera proposal.")


class ZoneWatchPolicy(_Strict):
    min_sightings_floor: int = Field(3, ge=2, le=100, description="The fewest sightings within the window that "
                                                                  "may raise a frequent-presence alert.")
    max_window_hours: float = Field(168, gt=0, le=24 * 90, description="The longest window over which sightings "
                                                                       "are counted.")
    max_days: int = Field(90, ge=1, le=365, description="A zone expires within this many days; a new designation "
                                                        "is approved again.")


class SharingPolicy(_Strict):
    forbidden_jurisdictions: list[str] = Field(default=[], description="Jurisdictions (ISO country or subdivision "
                                                                        "codes) no read is ever shared with.")

    @field_validator("forbidden_jurisdictions")
    @classmethod
    def _iso_codes(cls, v: list[str]) -> list[str]:
        from platewarden.policy.jurisdiction_codes import iso_jurisdiction

        return [iso_jurisdiction(code) for code in v]  # "Russia" is stored as RU, so it cannot be spelt around
    max_partner_retention_days: int = Field(30, ge=1, le=3650, description="The longest a partner may keep reads "
                                                                           "shared with it.")
    max_agreement_days: int = Field(365, ge=1, le=3650, description="The longest an agreement runs before it is "
                                                                    "approved again.")


class AlertPolicy(_Strict):
    max_distance: float = Field(0.5, ge=0, le=3, description="Largest edit distance between a read and a hotlist "
                                                              "plate that still raises an alert; a look-alike "
                                                              "substitution costs lookalike_cost.")
    lookalike_cost: float = Field(0.25, ge=0, le=1, description="Cost of swapping look-alike characters "
                                                                 "(O/0/D/Q, I/1, B/8, S/5, Z/2).")
    max_lookalikes: int = Field(2, ge=0, le=4, description="Most look-alike swaps allowed in one match; more "
                                                           "floods operators with false hits.")
    min_agreeing_observations: int = Field(2, ge=1, le=10, description="Frames that must agree on the text before "
                                                                        "an alert is raised (a single still photo "
                                                                        "counts as agreeing with itself).")
    min_read_confidence: float = Field(0.3, ge=0, le=1, description="Reads below this overall confidence never "
                                                                    "raise an alert.")
    hotlist_max_days: int = Field(365, ge=1, le=3650, description="A hotlist entry expires at most this many days "
                                                                  "after it is added (renewed by a new entry).")


class RedressPolicy(_Strict):
    default_liable: str = Field("operator", pattern="^(operator|supplier)$",
                                description="Who bears compensation unless the review states otherwise; the seed "
                                            "(§4.2) puts the main liability on the user of the technology.")
    currency: str = Field("EUR", min_length=3, max_length=3, description="Currency of compensation amounts.")
    compensation_single_limit: float = Field(1000.0, ge=0, le=1_000_000, description="Compensation above this, and "
                                                                                  "any suppression of a hotlist "
                                                                                  "entry, is decided by a "
                                                                                  "department head.")
    complaints_per_address_per_day: int = Field(5, ge=1, le=1000, description="Complaints one address may file in "
                                                                              "a day (more are refused: a flood "
                                                                              "would bury real ones).")
    complaints_per_hour: int = Field(100, ge=1, le=100_000, description="Complaints accepted in an hour from "
                                                                        "everyone together.")


class NotificationPolicy(_Strict):
    max_attempts: int = Field(5, ge=1, le=20, description="Delivery attempts per notification before giving up.")
    backoff_seconds: float = Field(0.5, gt=0, le=60, description="First retry delay; doubles each attempt.")
    disable_after_failures: int = Field(10, ge=1, le=1000, description="Consecutive failed notifications after "
                                                                       "which a webhook is disabled and reported.")


class RecognitionPolicy(_Strict):
    detection_threshold: float | None = Field(None, ge=0.01, le=0.99, description="Detector score below which a "
                                                                                  "candidate is not a plate; unset "
                                                                                  "uses the shipped model's "
                                                                                  "calibrated threshold.")
    min_plate_length: int = Field(3, ge=1, le=10, description="Readings shorter than this are discarded.")
    min_confidence: float = Field(0.1, ge=0, le=1, description="Readings less confident than this are noise: never "
                                                               "reported or stored (minimum necessary).")
    fusion_gap_seconds: float = Field(2.0, gt=0, le=60, description="A vehicle unseen for this long ends its read.")
    fusion_similarity: float = Field(0.6, ge=0, le=1, description="Text similarity for two observations to be the "
                                                                  "same vehicle.")
    jurisdictions: list[str] | dict[str, float] = Field(
        default_factory=lambda: ["auto"],
        description="Where this deployment's plates come from, as a reader's region setting: [auto], regions (eu), "
                    "countries (us, br, de), states (us-ca), or a map of them to weights ({us-ca: 0.7, us-nv: 0.3}). "
                    "A camera's own setting overrides it; --region overrides both.")

    @field_validator("jurisdictions")
    @classmethod
    def _known_jurisdictions(cls, v: list[str] | dict[str, float]) -> list[str] | dict[str, float]:
        from platewarden.recognition.jurisdictions import parse_hint

        parse_hint(v)  # an unknown code is an error listing the valid ones
        return v

    def hint(self) -> JurisdictionHint:
        """The deployment's jurisdiction hint for the recogniser."""
        from platewarden.recognition.jurisdictions import parse_hint

        return parse_hint(self.jurisdictions)


class SsoPolicy(_Strict):
    """Single sign-on through an OpenID Connect identity provider (OIDC Core 1.0, authorization code flow).

    The provider says who someone is and which groups they are in; platewarden still decides what that means. Groups
    map to roles here, in the policy, so changing who gets which role through the provider's groups is itself visible
    and approved. Roles a first sign-in brings, and roles added later, wait for a second person like any role an
    administrator grants; roles the groups no longer give end at the next sign-in. The client secret never appears
    here: it is read from ``PLATEWARDEN_OIDC_CLIENT_SECRET``.
    """

    issuer: str = Field(..., description="The provider's issuer URL (https; http only for localhost). Its "
                                         "/.well-known/openid-configuration is read at start.")
    client_id: str = Field(..., min_length=1, max_length=200, description="platewarden's client id at the provider.")
    display_name: str = Field("the agency's identity provider", max_length=80, description="Shown on the sign-in "
                                                                                           "button.")
    username_claim: str = Field("preferred_username", description="The ID-token claim used as the username.")
    groups_claim: str = Field("groups", description="The ID-token claim listing the person's groups.")
    role_groups: dict[Role, list[str]] = Field(..., min_length=1, description=(
        "For each role, the provider groups that give it. A sign-in whose groups give no role is refused."))
    mfa_amr: list[str] = Field(default_factory=lambda: ["mfa", "otp", "hwk", "swk", "sc", "fpt", "face", "iris"],
                               min_length=1, description=(
        "Authentication methods (RFC 8176 'amr' values) that count as a second factor. Where the roles need a "
        "second factor (mfa_roles), a sign-in whose ID token asserts none of these is refused."))
    max_auth_age_minutes: int = Field(10, ge=1, le=720, description="An ID token whose auth_time is older than this "
                                                                    "is refused (no replay of an old sign-in).")

    @field_validator("issuer")
    @classmethod
    def _https(cls, v: str) -> str:
        parts = urlsplit(v)
        local = parts.hostname in ("localhost", "127.0.0.1", "::1")
        if parts.scheme != "https" and not (parts.scheme == "http" and local):
            raise ValueError("the issuer must be an https:// URL (http:// only for localhost, in tests)")
        if parts.query or parts.fragment:
            raise ValueError("the issuer URL has no query or fragment")
        return v.rstrip("/")

    @field_validator("role_groups")
    @classmethod
    def _groups_named(cls, v: dict[Role, list[str]]) -> dict[Role, list[str]]:
        for role, groups in v.items():
            if not groups or any(not g.strip() for g in groups):
                raise ValueError(f"role {role.value}: list at least one non-empty group name")
        return v


class AccountPolicy(_Strict):
    """Sessions, sign-in and second factors, as police IT expects them (CJIS Security Policy 5.6.2.2 asks for
    multi-factor authentication wherever criminal-justice data can be reached)."""

    session_idle_minutes: int = Field(30, ge=1, le=720, description="A session unused this long ends.")
    session_absolute_hours: int = Field(8, ge=1, le=24, description="A session ends this long after sign-in, "
                                                                    "whatever its use.")
    token_days: int = Field(90, ge=1, le=366, description="API tokens expire after this many days at most.")
    login_delay_after: int = Field(3, ge=1, le=20, description="After this many failed sign-ins in a row, each "
                                                               "further attempt waits, twice as long each time.")
    lockout_after: int = Field(10, ge=3, le=100, description="This many failed sign-ins in a row lock the account "
                                                             "until an administrator unlocks it.")
    address_failures_per_hour: int = Field(30, ge=5, le=10_000, description="Failed sign-ins from one address in "
                                                                            "an hour before it is refused for the "
                                                                            "rest of the hour.")
    role_grant_approvers: list[Role] = Field(default=[Role.DEPARTMENT_HEAD, Role.ETHICS_BOARD], min_length=1,
                                             description="Who approves the roles an administrator gives an account "
                                                         "(a second person; the administrator never can).")
    mfa_roles: list[Role] = Field(default_factory=lambda: list(Role), description=(
        "Roles that must sign in with a second factor (TOTP). Default: every role."))
    sso: SsoPolicy | None = Field(None, description="Single sign-on through the agency's OpenID Connect identity "
                                                    "provider (optional; local accounts keep working beside it).")


class EdgePolicy(_Strict):
    """What the central believes of an edge camera's clock and outbox (the reads it publishes are signed, so these
    bound what a stolen camera key can claim, and what a replayed message can still do)."""

    clock_skew_seconds: int = Field(120, ge=1, le=3600, description="A read may claim to be this far ahead of the "
                                                                    "central's clock, no further.")
    max_track_seconds: int = Field(3600, ge=10, le=86_400, description="A read's first frame is at most this long "
                                                                       "before the edge queued it (a fused track "
                                                                       "lasts seconds): a read backdated further is "
                                                                       "refused.")
    max_delivery_hours: int = Field(168, ge=1, le=720, description="A read queued longer ago than this is refused "
                                                                   "(an edge offline for longer resends nothing "
                                                                   "the central will take).")
    max_crop_bytes: int = Field(65_536, ge=1024, le=1_048_576, description="Largest plate or vehicle crop (JPEG).")


class LedgerPolicy(_Strict):
    """Who vouches for the ledger from outside (a prosecutor's office, an auditor, a court): witnesses that cosign
    checkpoints only when they extend what they cosigned before (``platewarden ledger witness``). Listed here, in the
    approved policy, their keys come from no database row, so a database writer cannot add a witness of their own."""

    witnesses: dict[str, str] = Field(default_factory=dict, description=(
        "Witness name -> its C2SP verifier key (cosignature/v1), as `platewarden ledger witness-keygen` prints it."))
    quorum: int = Field(1, ge=1, le=20, description="Cosignatures from listed witnesses that make a checkpoint "
                                                    "witnessed (compliance report, `ledger add-cosignature`).")
    witness_urls: dict[str, str] = Field(default_factory=dict, description=(
        "Witness name -> the URL prefix of its C2SP tlog-witness endpoint (`platewarden ledger witness serve`): the "
        "server sends each new checkpoint there and stores the cosignature (`platewarden ledger witness collect` "
        "does it once). https, or http to this machine only."))

    @model_validator(mode="after")
    def _keys_and_quorum(self) -> LedgerPolicy:
        from platewarden.ledger.notes import COSIGNATURE_V1, NoteError, Verifier

        for name, key in self.witnesses.items():
            try:
                verifier = Verifier.decode(key)
            except NoteError as exc:
                raise ValueError(f"witness {name!r}: not a verifier key ({exc})") from None
            if verifier.name != name or verifier.key_type != COSIGNATURE_V1:
                raise ValueError(f"witness {name!r}: the key must be a cosignature/v1 key named {name!r}")
        for name, url in self.witness_urls.items():
            if name not in self.witnesses:
                raise ValueError(f"witness_urls: {name!r} is not one of ledger.witnesses")
            parts = urlsplit(url)
            loopback = parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "::1"}
            if not parts.hostname or (parts.scheme != "https" and not loopback) or parts.query or parts.fragment:
                raise ValueError(f"witness_urls: {name!r}: {url!r} must be an https URL prefix (http only to this "
                                 "machine), without query or fragment")
        if self.witnesses and self.quorum > len(self.witnesses):
            raise ValueError(f"a quorum of {self.quorum} needs at least {self.quorum} witnesses")
        return self


class AuditPolicy(_Strict):
    public_delay_days: int = Field(1, ge=1, le=31, description="Public figures cover whole days that ended at least "
                                                               "this many days ago: a driver watching them cannot "
                                                               "learn within minutes that their plate raised a hit.")
    public_granularity: int = Field(5, ge=1, le=100, description="Public counts are rounded to a multiple of this "
                                                                 "(small counts would point at one vehicle).")
    bias_ratio_threshold: float = Field(2.0, gt=1, le=100, description="The compliance report flags an area whose "
                                                                       "alert rate or misread rate is more than this "
                                                                       "many times the city-wide rate.")
    bias_min_events: int = Field(5, ge=1, le=10000, description="An area's rate is compared only when it rests on at "
                                                                "least this many alerts (or judged alerts, for the "
                                                                "misread rate): fewer are noise, not evidence.")


class Policy(_Strict):
    """Everything an agency decides, in one place. Changing it is itself an approved, ledgered act."""

    agency: str = Field("Example City Police", min_length=1, description="The agency that operates the system.")
    retention: RetentionPolicy = Field(default_factory=RetentionPolicy, description="How long reads live.")
    approvals: ApprovalChains = Field(default_factory=ApprovalChains, description="Approval chains per action.")
    exigent: ExigentPolicy = Field(default_factory=ExigentPolicy, description="Emergency searches.")
    search: SearchPolicy = Field(default_factory=SearchPolicy, description="Historical searches of stored reads.")
    deployment: DeploymentPolicy = Field(default_factory=DeploymentPolicy, description="Camera deployment rules.")
    alerts: AlertPolicy = Field(default_factory=AlertPolicy, description="When a read raises a hotlist alert.")
    zones: ZoneWatchPolicy = Field(default_factory=ZoneWatchPolicy, description="Frequent-presence zone watch.")
    sharing: SharingPolicy = Field(default_factory=SharingPolicy, description="Sharing with other agencies.")
    notifications: NotificationPolicy = Field(default_factory=NotificationPolicy, description="Alert delivery.")
    redress: RedressPolicy = Field(default_factory=RedressPolicy, description="Complaints of misidentification.")
    recognition: RecognitionPolicy = Field(default_factory=RecognitionPolicy, description="Recognition thresholds.")
    audit: AuditPolicy = Field(default_factory=AuditPolicy, description="What the compliance report flags.")
    edge: EdgePolicy = Field(default_factory=EdgePolicy, description="What reads from edge cameras may claim.")
    accounts: AccountPolicy = Field(default_factory=AccountPolicy, description="Sessions, sign-in, second factors.")
    ledger: LedgerPolicy = Field(default_factory=LedgerPolicy, description="The outside witnesses of the ledger.")

    @model_validator(mode="after")
    def _separation_of_duties(self) -> Policy:
        if Role.ADMINISTRATOR in self.approvals.historical_search:
            raise ValueError("approvals.historical_search: administrators manage accounts and may not search or "
                             "approve searches")
        unknown = [c for c in self.exigent.categories if c not in self.search.offences]
        if unknown:
            raise ValueError(f"exigent.categories {unknown} are not in search.offences")
        return self

    def warnings(self) -> list[str]:
        """Settings that are valid but questionable; printed by ``platewarden policy check``."""
        out = []
        cap = self.retention.jurisdiction_cap_days
        if cap is not None and self.retention.ordinary_days > cap:
            out.append(f"retention.ordinary_days ({self.retention.ordinary_days}) exceeds the jurisdiction's cap "
                       f"({cap} days)")
        if self.retention.ordinary_days > 30:
            out.append(f"retention.ordinary_days ({self.retention.ordinary_days}) is longer than the 30 days the "
                       "seed recommends")
        return out
