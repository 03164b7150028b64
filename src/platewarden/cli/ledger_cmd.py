"""``platewarden ledger``: checkpoints, proofs, export and offline verification, and the witness's side."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from platewarden.cli.common import platform
from platewarden.ledger.notes import COSIGNATURE_V1, NoteError, Signer, Verifier


@click.group("ledger")
def ledger() -> None:
    """The tamper-evident ledger of every governed act."""


@ledger.command("checkpoint")
@click.pass_context
def checkpoint(ctx: click.Context) -> None:
    """Sign the current tree head and print it (a C2SP checkpoint)."""
    with platform(ctx, governed=False, notify=False) as p:
        click.echo(p.ledger.checkpoint().render(), nl=False)


@ledger.command("key")
@click.pass_context
def key(ctx: click.Context) -> None:
    """The log's public verifier key: for courts (evidence verify), witnesses and sharing partners."""
    with platform(ctx, governed=False, notify=False) as p:
        click.echo(p.ledger.public_key.encode())


@ledger.command("show")
@click.option("--last", type=int, default=20, show_default=True)
@click.pass_context
def show(ctx: click.Context, last: int) -> None:
    """The latest entries and the latest checkpoint with its cosignatures."""
    with platform(ctx, governed=False, notify=False) as p:
        size = p.ledger.size()
        for seq, e in p.ledger.parsed(max(0, size - last)):
            click.echo(f"{seq:>8}  {e['at']}  {e['kind']:<18} {e['actor']:<20} {json.dumps(e['body'])[:80]}")
        click.echo("\n" + p.ledger.latest_note(), nl=False)


@ledger.command("prove")
@click.argument("seq", type=int)
@click.pass_context
def prove(ctx: click.Context, seq: int) -> None:
    """Print an inclusion proof of entry SEQ in the latest checkpoint (JSON)."""
    with platform(ctx, governed=False, notify=False) as p:
        try:
            proof = p.ledger.prove(seq)
        except KeyError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(json.dumps({**proof.to_json(), "entry": p.ledger.entry(seq)}, indent=2))


@ledger.command("consistency")
@click.argument("old_size", type=int)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the proof here (one hex hash a "
                                                                            "line) instead of standard output.")
@click.pass_context
def consistency(ctx: click.Context, old_size: int, out: Path | None) -> None:
    """A consistency proof from OLD_SIZE to the latest checkpoint, for a witness."""
    with platform(ctx, governed=False, notify=False) as p:
        size = p.ledger.checkpoints()[-1][0] if p.ledger.checkpoints() else p.ledger.size()
        if not 0 < old_size <= size:
            raise click.BadParameter(f"OLD_SIZE must be between 1 and the latest checkpoint's size {size}",
                                     param_hint="OLD_SIZE")
        text = "".join(h.hex() + "\n" for h in p.ledger.consistency(old_size, size))
    if out:
        out.write_text(text)
    else:
        click.echo(text, nl=False)


@ledger.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def export(ctx: click.Context, folder: Path) -> None:
    """Write everything an auditor needs to verify the ledger offline."""
    with platform(ctx, governed=False, notify=False) as p:
        n = p.ledger.export(folder)
    click.echo(f"exported {n} entries to {folder}")


@ledger.command("verify")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--trusted", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A checkpoint you trusted before: the export must not roll back from it.")
@click.option("--quorum", type=int, default=0, help="Cosignatures required on the latest checkpoint.")
@click.option("--strict", is_flag=True, help="Also check that every entry is in canonical form (RFC 8785).")
@click.option("--log-key", "log_key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The agency's log key as you obtained it (published, or read aloud from `platewarden ledger key`): "
                   "the export must be signed by it.")
@click.option("--witness-key", "witness_keys", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A witness's verifier key as the witness gave it (repeatable); replaces the export's witness keys.")
def verify(folder: Path, trusted: Path | None, quorum: int, strict: bool, log_key: Path | None,
           witness_keys: tuple[Path, ...]) -> None:
    """Verify an export offline: exit 0 with a summary if intact, 1 and the first bad entry otherwise."""
    from platewarden.ledger.verify import verify_export

    res = verify_export(folder, trusted.read_text() if trusted else None, quorum, strict,
                        log_key.read_text() if log_key else None,
                        [k.read_text() for k in witness_keys] if witness_keys else None)
    click.echo(res.summary())
    if res.ok and trusted is None and quorum == 0:
        click.echo("NOT RULED OUT: the export was checked against itself and the keys it carries. Whoever holds the "
                   "log key could have rewritten or truncated it before exporting, and a rewritten tail after the "
                   "newest checkpoint you hold goes unseen. Compare with a checkpoint you kept (--trusted) or ask for "
                   "witnesses' cosignatures (--quorum N), and take the log key from a source other than the export.")
    if res.ok and log_key is None:
        click.echo("NOT RULED OUT: the log key was taken from the export itself; give the one you trust (--log-key).")
    if res.ok and quorum and not witness_keys:
        click.echo("NOT RULED OUT: the witnesses' keys were taken from the export itself; give the ones the witnesses "
                   "gave you (--witness-key).")
    elif res.ok and res.uncovered:
        click.echo(f"NOT RULED OUT: {res.uncovered} entries after the latest checkpoint are covered by no signature.")
    sys.exit(0 if res.ok else 1)


@ledger.command("witness-keygen")
@click.argument("name")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Private key file to create (PEM, mode 0600).")
def witness_keygen(name: str, out: Path) -> None:
    """Create a witness key; prints the verifier key to give to the log operator."""
    import os

    signer = Signer.generate(name, COSIGNATURE_V1)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(signer.private_pem())
    click.echo(signer.verifier.encode())


@ledger.command("cosign")
@click.argument("checkpoint_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", required=True, help="The witness's name (as in its verifier key).")
@click.option("--key", "key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--state", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The witness's state file (the last checkpoint it cosigned).")
@click.option("--log-key", required=True, help="The log's verifier key (keys/log.vkey of an export).")
@click.option("--proof", "proof_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Consistency proof from the witness's last size (platewarden ledger consistency OLD).")
def cosign_cmd(checkpoint_file: Path, name: str, key_file: Path, state: Path, log_key: str,
               proof_file: Path | None) -> None:
    """Run by an outside party: cosign a checkpoint that is consistent with the last one it cosigned."""
    from platewarden.ledger.witness import WitnessRefusal, witness_cosign

    try:
        signer = Signer.from_pem(name, key_file.read_bytes(), COSIGNATURE_V1)
        key = Verifier.decode(Path(log_key).read_text() if Path(log_key).is_file() else log_key)
        proof = [bytes.fromhex(x) for x in proof_file.read_text().split()] if proof_file else []
        click.echo(witness_cosign(checkpoint_file.read_text(), proof, key, signer, state), nl=False)
    except (WitnessRefusal, NoteError, ValueError) as exc:
        click.echo(f"refused: {exc}", err=True)
        sys.exit(1)


@ledger.command("add-cosignature")
@click.argument("cosigned_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--witness-key", required=True, help="The witness's verifier key.")
@click.pass_context
def add_cosignature(ctx: click.Context, cosigned_file: Path, witness_key: str) -> None:
    """Store a witness's cosignature of one of our checkpoints."""
    with platform(ctx, governed=False, notify=False) as p:
        listed = p.policy.ledger.witnesses
        try:
            key = Verifier.decode(witness_key)
            if listed and key.encode() not in {Verifier.decode(k).encode() for k in listed.values()}:
                raise NoteError(f"{key.name!r} is not one of the policy's witnesses (ledger.witnesses): "
                                f"{', '.join(sorted(listed))}")
            size = p.ledger.add_cosignature(cosigned_file.read_text(), key, p.clock.now())
        except NoteError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"cosignature stored for the checkpoint of size {size}")


@ledger.group("witness")
def witness() -> None:
    """Outside witnesses (C2SP tlog-witness): run one, list one in the policy, collect cosignatures."""


witness.add_command(witness_keygen, "keygen")


@witness.command("serve")
@click.option("--name", required=True, help="The witness's name (as in its verifier key).")
@click.option("--key", "key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="The witness's private key (ledger witness keygen).")
@click.option("--log-key", "log_keys", multiple=True, required=True,
              help="Verifier key of a log to follow (repeatable; a file or the key itself): obtained from the agency "
                   "out of band, never from a request.")
@click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Where the witness keeps the last checkpoint it cosigned for each log.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8480, show_default=True, type=int)
@click.option("--prefix", default="", help="URL prefix before /add-checkpoint.")
def witness_serve(name: str, key_file: Path, log_keys: tuple[str, ...], state_dir: Path, host: str, port: int,
                  prefix: str) -> None:
    """Run by an outside party: serve POST <prefix>/add-checkpoint, cosigning only checkpoints that extend the last
    one it cosigned. Put it behind TLS (a reverse proxy) when it is reached over a network."""
    import uvicorn

    from platewarden.http.witness_app import witness_app
    from platewarden.ledger.witness import Witness

    try:
        signer = Signer.from_pem(name, key_file.read_bytes(), COSIGNATURE_V1)
        logs = [Verifier.decode(Path(k).read_text() if Path(k).is_file() else k) for k in log_keys]
        app = witness_app(Witness(signer, logs, state_dir), prefix)
    except (NoteError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"witness {name} follows {', '.join(k.name for k in logs)}; POST http://{host}:{port}"
               f"{prefix.rstrip('/')}/add-checkpoint")
    uvicorn.run(app, host=host, port=port, log_level="info")


@witness.command("add")
@click.argument("name")
@click.option("--key", "witness_key", required=True, help="The witness's verifier key, as the witness gave it.")
@click.option("--url", help="Its tlog-witness URL prefix, so that the server collects cosignatures by itself.")
@click.option("--quorum", type=int, help="Cosignatures that make a checkpoint witnessed (default: unchanged).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the new policy file (the policy in force with the witness added).")
@click.option("--reason", default=None, help="Why (ledgered with the proposal's digest).")
@click.pass_context
def witness_add(ctx: click.Context, name: str, witness_key: str, url: str | None, quorum: int | None, out: Path,
                reason: str | None) -> None:
    """List a witness in the policy: writes the policy in force plus the witness to OUT and proposes it through
    the policy_change chain. A witness takes effect only once that chain approves the file, so a database writer
    (or one administrator) cannot add a witness of their own."""
    import yaml
    from pydantic import ValidationError

    from platewarden.cli.common import settings_from
    from platewarden.cli.ops_cmd import policy_propose
    from platewarden.policy.loader import PolicyError, load_policy
    from platewarden.policy.model import LedgerPolicy, Policy

    settings = settings_from(ctx)
    try:
        current = load_policy(settings.policy_file)
        entry = Verifier.decode(Path(witness_key).read_text() if Path(witness_key).is_file() else witness_key)
        if name in current.ledger.witnesses:
            raise click.ClickException(f"{name!r} is already one of the policy's witnesses")
        ledger_policy = LedgerPolicy(
            witnesses={**current.ledger.witnesses, name: entry.encode()},
            quorum=quorum if quorum is not None else current.ledger.quorum,
            witness_urls={**current.ledger.witness_urls, **({name: url} if url else {})})
        new = Policy.model_validate({**current.model_dump(mode="json"), "ledger": ledger_policy.model_dump()})
    except (PolicyError, NoteError, ValidationError) as exc:
        raise click.ClickException(f"witness {name!r} not added: {exc}") from exc
    if out.exists():
        raise click.ClickException(f"{out} exists: name a new file for the proposed policy")
    out.write_text(yaml.safe_dump(new.model_dump(mode="json"), sort_keys=False))
    click.echo(f"wrote {out}: the policy in force with witness {name!r}")
    try:
        ctx.invoke(policy_propose, path=out, reason=reason or f"add ledger witness {name}")
    except (click.ClickException, SystemExit):
        out.unlink()  # refused: leave no file that looks like a proposal
        raise


@witness.command("collect")
@click.pass_context
def witness_collect(ctx: click.Context) -> None:
    """Send the latest checkpoint to every witness with a URL in the policy and store their cosignatures (the
    server does this after each scheduled checkpoint). Exit 1 if any witness failed."""
    from platewarden.ledger.witness_client import Cosigned, collect_cosignatures

    with platform(ctx, notify=False) as p:  # the witnesses come from the approved policy only
        lp = p.policy.ledger
        if not lp.witness_urls:
            raise click.ClickException("the policy gives no witness a URL (ledger.witness_urls): add one with "
                                       "platewarden ledger witness add NAME --key KEY --url URL --out FILE")
        outcomes = collect_cosignatures(p.ledger, lp.witnesses, lp.witness_urls, p.clock.now())
    for outcome in outcomes:
        if isinstance(outcome, Cosigned):
            click.echo(f"{outcome.witness}: cosigned the checkpoint of size {outcome.size}")
        else:
            click.echo(f"failed: {outcome}", err=True)
    sys.exit(0 if all(isinstance(o, Cosigned) for o in outcomes) else 1)
