"""The log's side of C2SP tlog-witness: send the latest checkpoint to a witness with a consistency proof from the
size it last cosigned, store the cosignature it returns.

The transport is a function from request body to (status, response body), so the same exchange runs over HTTP
(:func:`http_transport`, standard library only: the checkpoint is public and signed, nothing here needs a client
library) or in-process (the demo's witness, tests).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from platewarden.ledger.log import Ledger
from platewarden.ledger.notes import NoteError, SignedNote, Verifier
from platewarden.ledger.witness import AddCheckpoint

Transport = Callable[[bytes], tuple[int, str]]


class WitnessUnavailable(RuntimeError):
    """The witness could not be reached or refused; the message says which and why (its own words)."""


def http_transport(url: str, timeout_s: float = 10.0) -> Transport:
    """POST to ``<url>/add-checkpoint`` (``url`` is the witness's prefix, as its operator publishes it)."""
    endpoint = url.rstrip("/") + "/add-checkpoint"

    def send(body: bytes) -> tuple[int, str]:
        req = urllib.request.Request(endpoint, data=body, method="POST",
                                     headers={"Content-Type": "text/plain; charset=utf-8"})
        try:
            with urllib.request.urlopen(req, timeout=timeout_s) as resp:  # policy: https, or http to loopback
                return int(resp.status), resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return int(exc.code), exc.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError) as exc:
            raise WitnessUnavailable(f"{endpoint}: {exc}") from exc

    return send


@dataclass(frozen=True)
class Cosigned:
    witness: str
    size: int


def request_cosignature(ledger: Ledger, witness: Verifier, send: Transport, now: datetime) -> Cosigned:
    """Have ``witness`` cosign the latest checkpoint (signing one if the tail is unsigned) and store its
    cosignature. One retry when the witness says it is at another size than we thought (409 with its size)."""
    cp = ledger.checkpoint()
    size = int(cp.text.split("\n")[1])
    note_text = ledger.checkpoint_note(size)
    old = min(ledger.cosigned_size(witness), size)
    for _attempt in range(2):
        proof = ledger.consistency(old, size) if 0 < old < size else []
        status, body = send(AddCheckpoint(old, tuple(proof), note_text).render())
        if status == 200:
            break
        if status == 409 and body.strip().isdigit() and int(body.strip()) != old:
            told = int(body.strip())
            if told > size:
                raise WitnessUnavailable(f"{witness.name} has cosigned size {told}, beyond our latest checkpoint "
                                         f"{size}: another log under our name, or ours was cut back")
            old = told
            continue
        raise WitnessUnavailable(f"{witness.name} refused the checkpoint of size {size} ({status}): {body.strip()}")
    else:
        raise WitnessUnavailable(f"{witness.name} keeps naming another size than the one we send")
    lines = [line for line in body.split("\n") if line]
    try:
        cosigned = SignedNote.parse(note_text.rstrip("\n") + "\n" + "".join(line + "\n" for line in lines))
        ledger.add_cosignature(cosigned.render(), witness, now)
    except NoteError as exc:
        raise WitnessUnavailable(f"{witness.name} answered without a valid cosignature: {exc}") from exc
    return Cosigned(witness.name, size)


def collect_cosignatures(ledger: Ledger, witness_keys: dict[str, str], witness_urls: dict[str, str], now: datetime,
                         transport_for: Callable[[str], Transport] = http_transport,
                         ) -> list[Cosigned | WitnessUnavailable]:
    """Ask every witness the policy gives a URL for; one outcome each (a witness that is down fails alone)."""
    outcomes: list[Cosigned | WitnessUnavailable] = []
    for name, url in sorted(witness_urls.items()):
        try:
            outcomes.append(request_cosignature(ledger, Verifier.decode(witness_keys[name]), transport_for(url), now))
        except WitnessUnavailable as exc:
            outcomes.append(exc)
    return outcomes
