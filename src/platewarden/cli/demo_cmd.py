"""``platewarden demo``: a synthetic street clip with known plates through the real pipeline, end to end."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

import click

from platewarden.cli.common import platform
from platewarden.domain.alerts import Alert
from platewarden.domain.cameras import Camera
from platewarden.domain.deployment import RoadSegment
from platewarden.domain.hotlist import HotlistEntry
from platewarden.domain.plates import Region, normalize_plate
from platewarden.domain.reads import Read
from platewarden.domain.users import User
from platewarden.fusion.fuser import Fuser
from platewarden.governance.accounts import AccountError
from platewarden.ledger.notes import COSIGNATURE_V1, Signer
from platewarden.ledger.witness import Witness
from platewarden.ledger.witness_client import WitnessUnavailable, request_cosignature
from platewarden.pipeline.live import LivePipeline
from platewarden.policy.model import Role
from platewarden.recognition.jurisdictions import resolve_hint
from platewarden.recognition.pipeline import Recognizer, RecognizerConfig
from platewarden.runtime import Platform
from platewarden.sources.video import VideoFileSource
from platewarden.store.permissions import private_file
from platewarden.synthetic.scene import StreetScene

DEMO_PLATES = [("8ABC234", "us"), ("B 21 GSB", "ro"), ("5SOW350", "us"), ("AB-123-CD", "fr"), ("5SOW750", "us"),
               ("KX 7204", "us")]
HOTLIST_PLATE = "5SOW350"
DEMO_CAMERA = Camera("demo-cam-1", "Demo street, northbound", 52.3702, 4.8952, 0.0, "demo-street", ("us",))


DEMO_ROLES = {"demo.officer": Role.OFFICER, "demo.head": Role.DEPARTMENT_HEAD, "demo.operator": Role.OPERATOR,
              "demo.prosecutor": Role.PROSECUTOR, "demo.auditor": Role.AUDITOR, "demo.ethics": Role.ETHICS_BOARD}
DEMO_SEGMENT = RoadSegment("demo-street", "Demo street", 1.2, "demo district")


def demo_people(p: Platform) -> tuple[dict[str, User], list[tuple[str, str]]]:
    """The demo's accounts: created once, with random passwords printed once (never fixed passwords)."""
    created: list[tuple[str, str]] = []
    admin = None
    if p.accounts.count() == 0:
        password = secrets.token_urlsafe(12)
        admin = p.accounts.create(None, "demo.admin", "Demo administrator", p.policy.agency, {Role.ADMINISTRATOR},
                                  password)
        created.append(("demo.admin", password))
    people = {}
    for username, role in DEMO_ROLES.items():
        try:
            people[username] = p.accounts.by_username(username)
        except AccountError:
            if admin is None:
                raise click.ClickException(f"{username} is missing and accounts already exist: create it with "
                                           "platewarden user create") from None
            password = secrets.token_urlsafe(12)
            people[username] = p.accounts.create(admin, username, username.replace(".", " ").title(),
                                                 p.policy.agency, {role}, password)
            created.append((username, password))
    heads = [u for u in people.values() if Role.DEPARTMENT_HEAD in u.roles]
    for approver in heads[:1]:  # the demo's head approves the roles of the accounts created after it
        for account in p.accounts.awaiting_grant(approver):
            p.accounts.approve_grant(approver, account.user.id)
    return people, created


def demo_witness(p: Platform) -> str:
    """Have a stand-in witness cosign the checkpoint over the real tlog-witness exchange (in-process): in a
    deployment the witness is another office's `platewarden ledger witness serve`, listed in the policy with
    `platewarden ledger witness add`. Its key and state stay in the data directory, so reruns extend them."""
    folder = p.settings.data_dir / "demo" / "witness"
    key_file = folder / "demo-witness.pem"
    if key_file.exists():
        signer = Signer.from_pem("demo-witness", key_file.read_bytes(), COSIGNATURE_V1)
    else:
        signer = Signer.generate("demo-witness", COSIGNATURE_V1)
        with private_file(key_file) as f:
            f.write(signer.private_pem())
    witness = Witness(signer, [p.ledger.public_key], folder)
    try:
        done = request_cosignature(p.ledger, signer.verifier, lambda body: witness.handle(body)[:2], p.clock.now())
    except WitnessUnavailable as exc:
        return f"the demo witness refused: {exc}"
    return (f"checkpoint {done.size} cosigned by a demo witness (tlog-witness); a real one is another office's: "
            "platewarden ledger witness serve / ledger witness add")


@click.command("demo")
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Generate a street clip with known plates and run it through recognition, fusion, store and alerts."""
    with platform(ctx) as p:
        data = p.settings.data_dir
        click.echo(f"platewarden demo — data in {data}")
        scene = StreetScene(DEMO_PLATES)
        video = scene.write_video(data / "demo" / "street.avi")
        click.echo(f"1. generated a {scene.total_frames}-frame synthetic street clip: {video}")
        people, created = demo_people(p)
        officer, head = people["demo.officer"], people["demo.head"]
        if DEMO_CAMERA.id not in p.deployments.approved_ids():
            p.deployments.add_segment(DEMO_SEGMENT, head)
            p.deployments.import_existing(DEMO_CAMERA, "demo: a synthetic camera, no real deployment",
                                          people["demo.ethics"])
        now = p.clock.now()
        if not any(e.plate == HOTLIST_PLATE and e.is_active(now) for e in p.hotlist.active()):
            entry = p.hotlist.propose(HotlistEntry(
                id=str(uuid.uuid4()), plate=HOTLIST_PLATE, region=Region.US, country=None,
                reason="stolen vehicle (demo entry)", source="demo hotlist", make="sedan", colour=None,
                added_by=officer.label, added_at=now, expires_at=now + timedelta(days=7)), officer)
            p.hotlist.approve(entry.id, head)
        click.echo(f"2. camera {DEMO_CAMERA.id} in the public registry (recorded by the ethics board); "
                   f"demo hotlist holds {HOTLIST_PLATE} "
                   f"(and the clip also shows 5SOW750, one real character away: it must NOT alert)")
        rp = p.policy.recognition
        recognizer = Recognizer(RecognizerConfig(detection_threshold=rp.detection_threshold,
                                                 min_plate_length=rp.min_plate_length,
                                                 min_confidence=rp.min_confidence),
                                resolve_hint(None, DEMO_CAMERA.jurisdictions, rp.jurisdictions))
        fuser = Fuser(DEMO_CAMERA, rp.fusion_gap_seconds, rp.fusion_similarity)
        writer = p.read_writer("demo")
        reads: list[Read] = []
        alerts: list[tuple[Alert, Read]] = []
        pipe = LivePipeline(recognizer, fuser, writer, p.alerts, on_read=reads.append,
                            on_alert=lambda a, r: alerts.append((a, r)), zones=p.zones)
        source = VideoFileSource(video, DEMO_CAMERA.id, now)
        with click.progressbar(source.frames(), length=scene.total_frames, label="3. recognising",
                               show_pos=True) as frames:
            stats = pipe.run(frames)
        click.echo(f"   {stats.frames} frames, {stats.observations} plate observations, {stats.fps:.1f} frames/s")
        click.echo(f"4. {len(reads)} reads stored (encrypted, one per vehicle):")
        expected = {normalize_plate(t) for t, _ in DEMO_PLATES}
        for r in reads:
            mark = "known plate" if r.text in expected else "NOT in the clip (misread)"
            click.echo(f"     {r.text:<10} confidence {r.confidence:.2f}  {r.agreeing}/{r.observations} frames "
                       f"agree  region {r.region.value}  [{mark}]")
        found = expected & {r.text for r in reads}
        click.echo(f"   {len(found)} of {len(expected)} known plates read exactly")
        click.echo(f"5. {len(alerts)} hotlist alert(s), each waiting for a person to confirm:")
        for a, _ in alerts:
            click.echo(f"     alert {a.id[:8]}: read {a.raw_text} ~ hotlist {a.hotlist_plate} "
                       f"(distance {a.distance:.2f}, region verified: {a.region_verified})")
        note = p.ledger.checkpoint()
        click.echo(f"6. ledger: {p.ledger.size()} entries, signed checkpoint of size "
                   f"{note.text.splitlines()[1]} (platewarden ledger show; ledger export DIR; ledger verify DIR)")
        click.echo(f"   {demo_witness(p)}")
        for username, password in created:
            click.echo(f"   demo account {username} created, password {password} (shown once)")
        click.echo("\nWhere the data lives:")
        click.echo(f"   database    {p.settings.effective_database_url}")
        click.echo(f"   master key  {data / 'master.key'} (mode 0600; or PLATEWARDEN_MASTER_KEY)")
        click.echo("Next: platewarden serve --insecure-cookies   then open http://127.0.0.1:8000/login as "
                   "demo.operator (alert queue), demo.officer / demo.head / demo.prosecutor (searches), or "
                   "http://127.0.0.1:8000/public (no login). The first sign-in enrols an authenticator app "
                   "(a QR code): every role signs in with a second factor.")
        click.echo("  or on the command line: platewarden --as demo.operator user mfa enrol (then mfa confirm "
                   "CODE), and platewarden --as demo.operator alerts list")
