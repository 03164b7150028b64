"""The tamper-evident ledger: an append-only Merkle log (RFC 6962/9162 hashing) of every governed act, with
Ed25519-signed checkpoints (C2SP tlog-checkpoint) that outside witnesses co-sign (C2SP tlog-cosignature)."""
