"""``platewarden report``: disclosures and assessments."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click


@click.group("report")
def report() -> None:
    """Disclosure and compliance reports."""


@report.command("model-card")
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=Path("../shared/data"),
              show_default=True, help="Labelled evaluation sets (skipped when absent).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("docs/model-card.md"),
              show_default=True)
@click.option("--per-condition", type=int, default=60, show_default=True, help="Rendered plates per cell.")
def model_card(data: Path, out: Path, per_condition: int) -> None:
    """Regenerate the algorithm disclosure from the shipped models and the evaluation harness."""
    from platewarden.audit.model_card import build_model_card

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(build_model_card(data if data.is_dir() else None, per_condition), encoding="utf-8")
    click.echo(f"wrote {out}")


@report.command("compliance")
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), help="First day of the period (YYYY-MM-DD).")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="Last day of the period (inclusive).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("compliance-report"),
              show_default=True, help="Folder for the HTML, the PDF and the findings (JSON).")
@click.option("--snapshot", "snapshot_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the snapshot (aggregates, no personal data) for an outside auditor.")
@click.option("--input", "snapshot_in", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Assess this signed snapshot instead of the database: needs no keys and no database.")
@click.option("--key", "key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="With --input or a server: the agency's published log key (log.vkey); the snapshot must be "
                   "signed by it.")
@click.option("--unsigned", is_flag=True, help="With --input: accept a snapshot without a signature (it then cannot "
                                               "show that it is the agency's).")
@click.option("--policy", "policy_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Assess against this policy file instead of the policy recorded in the snapshot.")
@click.option("--population", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of area,population: cameras and reads per 1,000 residents.")
@click.option("--fail-on", type=click.Choice(["critical", "warning", "notice", "never"]), default="never",
              show_default=True, help="Exit with status 1 when a finding this serious (or worse) is made.")
@click.pass_context
def compliance(ctx: click.Context, first: datetime | None, last: datetime | None, out: Path,
               snapshot_out: Path | None, snapshot_in: Path | None, key_file: Path | None, unsigned: bool,
               policy_file: Path | None, population: Path | None, fail_on: str) -> None:
    """Assess compliance over a period: retention, authorization, ledger, alerts, hotlist, deployment, bias,
    zones and redress. Writes an HTML report and a PDF. Gathering from the database is done by a person (an
    auditor, the ethics board or a department head: --as or PLATEWARDEN_TOKEN), ledgered under their name; the
    snapshot it writes is signed with the ledger's key, and --input checks that signature."""
    import hashlib

    from platewarden.audit.compliance.assess import Severity
    from platewarden.audit.compliance.gathering import BadPeriod, ComplianceGathering, GatheringRefused
    from platewarden.audit.compliance.population import PopulationError, parse_population
    from platewarden.audit.compliance.report import snapshot_bytes, write_report
    from platewarden.audit.compliance.snapshot import Snapshot, SnapshotError
    from platewarden.cli.auth import current_user
    from platewarden.cli.common import platform
    from platewarden.cli.remote import server_for
    from platewarden.ledger.notes import NoteError, Verifier
    from platewarden.policy import PolicyError, load_policy
    from platewarden.store.permissions import private_file

    try:
        policy = load_policy(policy_file) if policy_file else None
        pop = parse_population(population.read_text(encoding="utf-8")) if population else None
    except (PolicyError, PopulationError, OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(str(exc)) from exc
    if snapshot_in is not None:
        if first or last:
            raise click.UsageError("--from/--to come from the snapshot: give either --input or --from/--to")
        try:
            expected = Verifier.decode(key_file.read_text(encoding="utf-8").strip()) if key_file else None
            snap = Snapshot.load(snapshot_in, expected, allow_unsigned=unsigned)
        except (SnapshotError, NoteError, OSError, UnicodeDecodeError) as exc:
            raise click.ClickException(str(exc)) from exc
        digest = hashlib.sha256(snapshot_bytes(snap)).hexdigest()  # of the snapshot itself, as the ledger has it
    else:
        if first is None or last is None:
            raise click.UsageError("give the period with --from and --to (or a snapshot with --input)")
        server = server_for(ctx)
        if server is not None:  # the server gathers (and ledgers); this machine only writes the report
            raw, headers = server.fetch("POST", "/api/reports/compliance", {
                "period_from": first.date().isoformat(), "period_to": last.date().isoformat()})
            try:
                expected = Verifier.decode(key_file.read_text(encoding="utf-8").strip()) if key_file else None
                snap = Snapshot.loads(raw.decode("utf-8"), "the server's snapshot", expected)
            except (SnapshotError, NoteError, UnicodeDecodeError) as exc:
                raise click.ClickException(str(exc)) from exc
            digest, export = hashlib.sha256(snapshot_bytes(snap)).hexdigest(), raw
            if headers.get("x-snapshot-sha256") != digest:
                raise click.ClickException("the server's snapshot is not the one it says it ledgered")
        else:
            with platform(ctx, governed=False, notify=False) as p:
                try:
                    got = ComplianceGathering(p).gather(current_user(ctx, p), first.date(), last.date())
                except GatheringRefused as exc:
                    raise click.ClickException(str(exc)) from exc
                except BadPeriod as exc:
                    raise click.BadParameter(str(exc), param_hint="--to") from exc
            snap, digest, export = got.snapshot, got.sha256, got.signed
        if snapshot_out is not None:
            with private_file(snapshot_out) as out_file:  # case and request ids: this account only
                out_file.write(export)
            click.echo(f"wrote {snapshot_out} (signed snapshot; its content's sha256 {digest}, as ledgered)")
    written = write_report(snap, out, digest, policy, pop)
    ass = written.assessment
    click.echo(f"wrote {written.html}, {written.pdf} ({written.pages} pages), {written.findings}")
    click.echo(f"{ass.count(Severity.CRITICAL)} critical, {ass.count(Severity.WARNING)} warnings, "
               f"{ass.count(Severity.NOTICE)} notices")
    for f in ass.findings:
        click.echo(f"  [{f.severity.value}] {f.section}: {f.title}" + (f" ({len(f.items)})" if f.items else ""))
    if fail_on != "never":
        worst = list(Severity)[: list(Severity).index(Severity(fail_on)) + 1]
        if any(f.severity in worst for f in ass.findings):
            ctx.exit(1)


@report.command("annual")
@click.option("--year", type=click.IntRange(2000, 2200), required=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True)
@click.pass_context
def annual(ctx: click.Context, year: int, out: Path) -> None:
    """The public annual report (aggregates only): an HTML page and its figures as JSON."""
    import json

    from platewarden.audit.annual import annual_figures, render_annual
    from platewarden.cli.common import platform

    with platform(ctx, governed=False, notify=False) as p:
        figures = annual_figures(p, year)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"annual-report-{year}.html").write_text(render_annual(figures), encoding="utf-8")
    (out / f"annual-report-{year}.json").write_text(json.dumps(figures, indent=1, default=str), encoding="utf-8")
    click.echo(f"wrote {out / f'annual-report-{year}.html'} and .json")
