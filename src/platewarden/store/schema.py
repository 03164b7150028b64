"""Tables. Personal data (plates, crops, where and when a vehicle was) lives only in ciphertext columns; what stays
in the clear is what retention and aggregate statistics need (the day, a keyed blind index, counts)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp on every backend: SQLite hands stored values back without their zone, so they are
    read back as UTC here, once, instead of by every caller."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

cameras = Table(
    "cameras", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("heading_deg", Float),
    Column("road_segment", String(200)),
    Column("created_at", UtcDateTime(), nullable=False),
    # the registry holds approved cameras only: "approved" or "decommissioned"
    Column("status", String(16), nullable=False, server_default="approved"),
    Column("approved_via", String(200), nullable=False, server_default="legacy"),  # proposal:<id> / import:<ref>
    Column("jurisdictions", String(300)),  # the reader's hint for this camera ("us-ca,us-nv"); NULL: the policy's
    Column("seal", LargeBinary(32)),  # store/seals.py: HMAC under a key derived from the master key
)

road_segments = Table(  # public: the unit of the density rule
    "road_segments", metadata,
    Column("id", String(200), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("length_km", Float, nullable=False),
    Column("area", String(120), nullable=False),  # the district it lies in (bias report)
    Column("created_at", UtcDateTime(), nullable=False),
)

camera_proposals = Table(  # public: a deployment is decided with the public
    "camera_proposals", metadata,
    Column("id", String(36), primary_key=True),
    Column("camera_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("heading_deg", Float),
    Column("road_segment", String(200), ForeignKey("road_segments.id"), nullable=False),
    Column("jurisdictions", String(300)),  # the reader's hint the camera will carry; NULL: the policy's
    Column("edge_key", String(100)),  # an edge camera's public signing key ("ed25519:..."), registered on approval
    Column("purpose", Text, nullable=False),
    Column("justification", Text, nullable=False),
    Column("proposed_by", String(36), ForeignKey("users.id"), nullable=False),
    Column("proposed_at", UtcDateTime(), nullable=False),
    Column("comment_until", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False),  # open / approved / rejected / withdrawn
    Column("decision_reason", Text),
    Column("density_exception", Text),  # reasons recorded for approving beyond the density limit
    Column("decided_at", UtcDateTime()),
)

camera_comments = Table(
    "camera_comments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("proposal_id", String(36), ForeignKey("camera_proposals.id"), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("author", String(120), nullable=False),  # as the commenter chose to sign; may be "anonymous"
    Column("text", Text, nullable=False),
)

camera_keys = Table(  # public: an edge camera's signing keys (public halves) and their lifecycle; each change ledgered
    "camera_keys", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("camera_id", String(64), nullable=False, index=True),
    Column("public_key", String(100), nullable=False, unique=True),
    Column("fingerprint", String(16), nullable=False),
    Column("registered_at", UtcDateTime(), nullable=False),
    Column("registered_via", String(200), nullable=False),  # proposal:<id> / import:<ref> / rotation
    Column("retired_at", UtcDateTime()),
    Column("revoked_at", UtcDateTime()),
    Column("seal", LargeBinary(32)),  # store/seals.py: HMAC under a key derived from the master key
)

quarantined_messages = Table(  # messages central ingest refused: what and why, never their content
    "quarantined_messages", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("camera_id", String(64), nullable=False),  # the topic's camera, or "(invalid)"
    Column("reason", String(32), nullable=False),
    Column("digest", String(64), nullable=False),  # SHA-256 of the payload
    Column("size", Integer, nullable=False),
)

read_refusals = Table(  # reads offered by a camera that is not approved: counted here, each attempt ledgered
    "read_refusals", metadata,
    Column("day", Date, primary_key=True),
    Column("camera_id", String(64), primary_key=True),
    Column("reason", String(32), primary_key=True),
    Column("count", Integer, nullable=False),
)

day_keys = Table(
    "day_keys", metadata,
    Column("day", Date, primary_key=True),
    Column("wrapped_data_key", LargeBinary, nullable=False),
    Column("wrapped_index_key", LargeBinary, nullable=False),
    Column("data_key_fingerprint", String(64), nullable=False),
    Column("index_key_fingerprint", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

reads = Table(
    "reads", metadata,
    Column("id", String(36), primary_key=True),
    Column("day", Date, nullable=False),
    Column("first_seen", UtcDateTime(), nullable=False),
    Column("plate_index", LargeBinary(16), nullable=False),
    Column("payload", LargeBinary, nullable=False),  # sealed JSON: text, camera, location, confidences...
    Column("plate_crop", LargeBinary, nullable=False),  # sealed JPEG
    Column("vehicle_crop", LargeBinary),  # sealed JPEG or NULL
    Column("key_scope", String(80), nullable=False),  # "day:YYYY-MM-DD" or "case:<id>" after a hold
    Column("row_digest", LargeBinary(32), nullable=False),  # salted commitment to the content (store/codec.py)
    Column("batch_seq", Integer),  # the ledger entry of the batch that stored it
    Column("batch_pos", Integer),  # its leaf position in that batch's Merkle root
    Column("batch_proof", LargeBinary),  # its path in the batch, kept when the rest of the batch is destroyed
    # The day whose destruction removes the row: its own day, or HELD_PURGE_DAY once a case keeps it. On
    # PostgreSQL the table is partitioned by it (migration 0006), so destroying a day drops a partition.
    Column("purge_day", Date, nullable=False),
    Index("ix_reads_day_index", "day", "plate_index"),
    Index("ix_reads_batch", "batch_seq", "batch_pos"),  # a batch's rows, in leaf order (migration 0015)
)

read_counts = Table(
    "read_counts", metadata,
    Column("day", Date, primary_key=True),
    Column("camera_id", String(64), primary_key=True),
    Column("reads", Integer, nullable=False),
)

# Reads stored per camera per minute over the last day (migration 0018): a camera's rate and its last read on the
# dispatcher's home. Counts only; the retention run deletes rows older than a day, as a minute can single out a car.
read_rates = Table(
    "read_rates", metadata,
    Column("minute", UtcDateTime(), primary_key=True),
    Column("camera_id", String(64), primary_key=True),
    Column("reads", Integer, nullable=False),
)

edge_status = Table(  # each edge camera's last signed report of its outbox backlog (counts only)
    "edge_status", metadata,
    Column("camera_id", String(64), primary_key=True),
    Column("reported_at", UtcDateTime(), nullable=False),  # the edge's clock, when it counted
    Column("unsent", Integer, nullable=False),
    Column("awaiting_receipt", Integer, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),  # the central's clock
)

hotlist_entries = Table(
    "hotlist_entries", metadata,
    Column("id", String(36), primary_key=True),
    Column("plate", LargeBinary, nullable=False),  # sealed under the hotlist key
    Column("region", String(16), nullable=False),
    Column("country", String(2)),
    Column("reason", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("make", String(80)),
    Column("colour", String(40)),
    Column("added_by", String(120), nullable=False),
    Column("added_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("approved_by", String(120)),
    Column("seal", LargeBinary(32)),  # store/seals.py: HMAC under a key derived from the master key
)

alerts = Table(
    "alerts", metadata,
    Column("id", String(36), primary_key=True),
    Column("read_id", String(36), nullable=False, unique=True),
    Column("entry_id", String(36), ForeignKey("hotlist_entries.id")),  # NULL once its day is destroyed
    Column("day", Date, nullable=False),
    Column("payload", LargeBinary, nullable=False),  # sealed JSON: raw text, camera, confidences
    Column("plate_crop", LargeBinary, nullable=False),  # sealed JPEG, kept with the alert
    Column("distance", Float, nullable=False),
    Column("region_verified", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

dispositions = Table(
    "dispositions", metadata,
    Column("alert_id", String(36), ForeignKey("alerts.id"), primary_key=True),
    Column("disposition", String(16), nullable=False),
    Column("by", String(120), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("note", Text, nullable=False),
)

webhooks = Table(
    "webhooks", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, unique=True),
    Column("enabled", Boolean, nullable=False),
    Column("consecutive_failures", Integer, nullable=False),
    Column("disabled_reason", Text),
    # governed outlets (governance/outlets.py): who proposed it, for what, who approved it
    Column("purpose", Text, nullable=False, server_default=""),
    Column("proposed_by", String(36), nullable=False, server_default=""),
    Column("proposed_at", UtcDateTime()),
    Column("approved_by", String(36)),
    Column("status", String(16), nullable=False, server_default="legacy"),  # pending/active/rejected/removed
    Column("seal", LargeBinary(32)),  # store/seals.py: HMAC under a key derived from the master key
)

ledger_entries = Table(
    "ledger_entries", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(32), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Column("entry", LargeBinary, nullable=False),  # canonical JSON, exactly as hashed
)

ledger_nodes = Table(  # the hash of each perfect subtree of 2**level leaves (level >= 1), stored as the tree grows
    "ledger_nodes", metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", Integer, primary_key=True, autoincrement=False),  # the subtree starts at leaf idx * 2**level
    Column("hash", LargeBinary(32), nullable=False),
)

ledger_checkpoints = Table(
    "ledger_checkpoints", metadata,
    Column("size", Integer, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),  # the signed note as issued by the log
    Column("created_at", UtcDateTime(), nullable=False),
)

ledger_cosignatures = Table(
    "ledger_cosignatures", metadata,
    Column("size", Integer, ForeignKey("ledger_checkpoints.size"), primary_key=True),
    Column("witness", String(200), primary_key=True),
    Column("witness_key", Text, nullable=False),  # the witness's verifier key (name+id+key)
    Column("signature_line", Text, nullable=False),
    Column("added_at", UtcDateTime(), nullable=False),
)

ledger_state = Table(  # the compact tree after the last append (O(log n) hashes), updated with each append
    "ledger_state", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", Integer, nullable=False),
    Column("frontier", LargeBinary, nullable=False),
    Column("last_leaf", LargeBinary(32), nullable=False),
)

users = Table(
    "users", metadata,
    Column("id", String(36), primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("organisation", String(200), nullable=False),
    Column("roles", String(200), nullable=False),  # comma-separated Role values
    Column("password_hash", String(200), nullable=False),  # argon2id
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("failed_logins", Integer, nullable=False, server_default="0"),  # in a row
    Column("last_failed_at", UtcDateTime()),
    Column("locked_at", UtcDateTime()),  # locked after too many failures: an administrator unlocks
    Column("totp_secret", LargeBinary),  # sealed under a key derived from the master key
    Column("totp_enabled_at", UtcDateTime()),
    Column("totp_last_step", Integer),  # the last time step accepted: a code is never accepted twice
    Column("created_by", String(36)),  # the administrator who created it (NULL: bootstrap)
    Column("grant_approved_by", String(36)),  # who approved its roles (a second person); NULL: awaiting approval
    Column("seal", LargeBinary(32)),  # store/seals.py: HMAC under a key derived from the master key
)

sessions = Table(  # server-side sessions: the cookie holds only a random id, whose SHA-256 is stored here
    "sessions", metadata,
    Column("id_hash", LargeBinary(32), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),  # absolute end
    Column("mfa_pending", Boolean, nullable=False),  # signed in with a password only: may enrol a second factor
    Column("ended_at", UtcDateTime()),
    Column("end_reason", String(40)),
    Column("seal", LargeBinary(32)),  # store/seals.py: HMAC under a key derived from the master key
)

sso_links = Table(  # an account that signs in through the agency's OpenID Connect provider, by (issuer, subject)
    "sso_links", metadata,
    Column("issuer", String(300), primary_key=True),
    Column("subject", String(255), primary_key=True),  # the provider's stable 'sub' for the person
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("seal", LargeBinary(32)),  # store/seals.py: a link written outside platewarden is no link
)

recovery_codes = Table(  # one-time codes for a lost authenticator: only their SHA-256
    "recovery_codes", metadata,
    Column("code_hash", LargeBinary(32), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime()),
)

rate_counts = Table(  # events per key and time window, for throttling (failed sign-ins per address and hour,
    # complaints per address and day, complaints per hour); keys that are addresses are kept as HMACs
    "rate_counts", metadata,
    Column("scope", String(32), primary_key=True),
    Column("key_ref", String(64), primary_key=True),
    Column("window_start", UtcDateTime(), primary_key=True),
    Column("count", Integer, nullable=False),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("token_hash", LargeBinary(32), primary_key=True),  # SHA-256 of the token; the token is shown once
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False),
    Column("label", String(120), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked", Boolean, nullable=False),
    Column("expires_at", UtcDateTime()),  # NULL only for tokens issued before expiry existed: treated as expired
    Column("seal", LargeBinary(32)),  # store/seals.py: HMAC under a key derived from the master key
)

search_requests = Table(
    "search_requests", metadata,
    Column("id", String(36), primary_key=True),
    Column("case_number", String(80), nullable=False),
    Column("offence", String(60), nullable=False),
    Column("scope", LargeBinary, nullable=False),  # sealed JSON: plates or pattern, window, cameras/area, texts
    Column("requested_by", String(36), ForeignKey("users.id"), nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("exigent", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("valid_until", UtcDateTime()),
    Column("status_reason", Text),
    Column("agreement_id", String(36)),  # a shared query made for a partner agency under this agreement
    Column("seal", LargeBinary(32)),  # store/seals.py: HMAC under a key derived from the master key
)

approval_steps = Table(
    "approval_steps", metadata,
    Column("request_id", String(36), primary_key=True),
    Column("level", Integer, primary_key=True),
    Column("role", String(32), nullable=False),
    Column("decided_by", String(36), ForeignKey("users.id"), nullable=False),
    Column("decision", String(16), nullable=False),  # approved / rejected / reviewed
    Column("reason", Text, nullable=False),
    Column("decided_at", UtcDateTime(), nullable=False),
    Column("seal", LargeBinary(32)),  # store/seals.py: HMAC under a key derived from the master key
)

search_log = Table(  # the access record (California SB 34 and more); the query itself is sealed
    "search_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("user_id", String(36), nullable=False),
    Column("organisation", String(200), nullable=False),
    Column("request_id", String(36)),
    Column("case_number", String(80)),
    Column("purpose", Text, nullable=False),
    Column("query", LargeBinary, nullable=False),  # sealed
    Column("outcome", String(16), nullable=False),  # allowed / refused
    Column("reason", Text, nullable=False),
    Column("results", Integer, nullable=False),
    Column("results_digest", String(64), nullable=False),
)

case_keys = Table(
    "case_keys", metadata,
    Column("case_number", String(80), primary_key=True),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

holds = Table(
    "holds", metadata,
    Column("id", String(36), primary_key=True),
    Column("case_number", String(80), nullable=False),
    Column("reason", Text, nullable=False),
    Column("requested_by", String(36), nullable=False),
    Column("approved_by", String(36)),  # NULL: requested, awaiting a second person; keeps nothing yet
    Column("created_at", UtcDateTime(), nullable=False),
    Column("review_by", Date, nullable=False),
    Column("released_at", UtcDateTime()),
    Column("seal", LargeBinary(32)),  # store/seals.py: HMAC under a key derived from the master key
)

held_reads = Table(
    "held_reads", metadata,
    Column("hold_id", String(36), ForeignKey("holds.id"), primary_key=True),
    Column("read_id", String(36), primary_key=True),
    Column("seal", LargeBinary(32)),  # store/seals.py: HMAC under a key derived from the master key
)

destroyed_days = Table(
    "destroyed_days", metadata,
    Column("day", Date, primary_key=True),
    Column("destroyed_reads", Integer, nullable=False),
    Column("kept_for_cases", Integer, nullable=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("data_key_fingerprint", String(64), nullable=False),
    Column("index_key_fingerprint", String(64), nullable=False),
    Column("ledger_seq", Integer, nullable=False),
    Column("destroyed_at", UtcDateTime(), nullable=False),
)

complaints = Table(
    "complaints", metadata,
    Column("id", String(36), primary_key=True),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("state", String(16), nullable=False),
    Column("details", LargeBinary, nullable=False),  # sealed JSON: plate, date, place, what happened, contact
    Column("reviewer", String(200)),
    Column("decision_reason", Text),
    Column("linked_alerts", Text, nullable=False),  # JSON list of alert ids
    Column("compensation_amount", Float),
    Column("compensation_currency", String(3)),
    Column("liable_party", String(16)),
    Column("compensation_reason", Text),
    Column("suppressed_entry", String(36)),
    Column("decided_at", UtcDateTime()),
)

zones = Table(  # zone watch (seed 2.2): public designation, approved like a search plus the ethics board
    "zones", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("polygon", Text, nullable=False),  # JSON [[lat, lon], ...]
    Column("justification", Text, nullable=False),
    Column("min_sightings", Integer, nullable=False),
    Column("window_hours", Float, nullable=False),
    Column("requested_by", String(36), ForeignKey("users.id"), nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False),  # pending / active / rejected / expired / revoked
    Column("status_reason", Text),
    Column("wrapped_key", LargeBinary),  # the zone's presence key; destroyed (NULL) when the zone ends
    Column("activated_at", UtcDateTime()),  # the final approval: sightings count from here on, never before
    Column("seal", LargeBinary(32)),  # store/seals.py: HMAC under a key derived from the master key
)

zone_sightings = Table(  # presence tokens: HMAC of the plate under the zone's key, never the plate
    "zone_sightings", metadata,
    Column("zone_id", String(36), ForeignKey("zones.id"), primary_key=True),
    Column("read_id", String(36), primary_key=True),
    Column("token", LargeBinary(16), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Index("ix_zone_sightings_token", "zone_id", "token", "at"),
)

zone_alerts = Table(
    "zone_alerts", metadata,
    Column("id", String(36), primary_key=True),
    Column("zone_id", String(36), ForeignKey("zones.id"), nullable=False),
    Column("token", LargeBinary(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sightings", Integer, nullable=False),
    Column("payload", LargeBinary, nullable=False),  # sealed: the plate and the read ids, revealed on alert only
)

sharing_agreements = Table(  # cross-border sharing (seed 5)
    "sharing_agreements", metadata,
    Column("id", String(36), primary_key=True),
    Column("partner", String(200), nullable=False),
    Column("jurisdiction", String(80), nullable=False),
    Column("purposes", Text, nullable=False),  # JSON list of offence categories
    Column("retention_days", Integer, nullable=False),
    Column("valid_until", UtcDateTime(), nullable=False),
    Column("partner_key", Text, nullable=False),  # the partner's ledger verifier key (name+id+key)
    Column("requested_by", String(36), ForeignKey("users.id"), nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False),  # pending / active / rejected / ended
    Column("status_reason", Text),
    Column("seal", LargeBinary(32)),  # store/seals.py: HMAC under a key derived from the master key
)

received_shares = Table(  # packages partners shared with us: kept sealed until their delete-by date, then deleted
    "received_shares", metadata,
    Column("id", String(36), primary_key=True),
    Column("agreement_id", String(36), ForeignKey("sharing_agreements.id"), nullable=False),
    Column("sender_entry", Integer, nullable=False),  # the sender's ledger entry that records the disclosure
    Column("package_digest", String(64), nullable=False, unique=True),
    Column("case_number", String(200), nullable=False),
    Column("received_by", String(36), ForeignKey("users.id"), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("delete_by", UtcDateTime(), nullable=False),
    Column("reads_count", Integer, nullable=False),
    Column("payload", LargeBinary),  # sealed JSON of the reads; NULL once deleted
    Column("deleted_at", UtcDateTime()),
    UniqueConstraint("agreement_id", "sender_entry", name="uq_received_shares_sender_entry"),
)
