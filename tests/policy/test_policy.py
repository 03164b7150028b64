from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from platewarden.cli.main import cli
from platewarden.policy import Policy, PolicyError, parse_policy
from platewarden.policy.model import Role


def test_defaults_follow_the_seed() -> None:
    p = Policy()
    assert p.retention.ordinary_days == 30
    assert p.approvals.historical_search == [Role.OFFICER, Role.DEPARTMENT_HEAD, Role.PROSECUTOR]
    assert p.deployment.max_cameras_per_km == 2.0


def test_every_field_is_described() -> None:
    def walk(model: type) -> list[str]:
        missing = []
        for name, f in model.model_fields.items():  # type: ignore[attr-defined]
            if not f.description:
                missing.append(f"{model.__name__}.{name}")
            ann = f.annotation
            if isinstance(ann, type) and hasattr(ann, "model_fields"):
                missing += walk(ann)
        return missing

    assert walk(Policy) == []


def test_errors_point_at_the_line() -> None:
    text = "agency: X\nretention:\n  ordinary_days: 0\n  colour: blue\nalerts:\n  max_lookalikes: 9\n"
    with pytest.raises(PolicyError) as exc:
        parse_policy(text, "p.yaml")
    lines = {line for line, _ in exc.value.problems}
    assert lines == {3, 4, 6}
    assert any("colour" in msg for _, msg in exc.value.problems)


def test_bad_yaml_and_non_mapping() -> None:
    with pytest.raises(PolicyError, match="not valid YAML"):
        parse_policy("a: [1, 2\n")
    with pytest.raises(PolicyError, match="mapping"):
        parse_policy("- just\n- a list\n")


def test_administrator_cannot_approve_searches() -> None:
    with pytest.raises(PolicyError, match="administrators"):
        parse_policy("approvals:\n  historical_search: [officer, administrator]\n")


def test_chain_needs_an_approver() -> None:
    with pytest.raises(PolicyError, match="at least one approver"):
        parse_policy("approvals:\n  hotlist_entry: [officer]\n")


def test_retention_beyond_the_jurisdictions_cap_needs_a_recorded_ground() -> None:
    with pytest.raises(PolicyError, match="cap_exception"):
        parse_policy("retention:\n  ordinary_days: 60\n  jurisdiction_cap_days: 21\n")
    p = parse_policy("retention:\n  ordinary_days: 60\n  jurisdiction_cap_days: 21\n  cap_exception: "
                     "court order 2026-44 extends retention for the bridge cameras\n")
    assert any("cap" in w for w in p.warnings())  # still flagged


@pytest.mark.parametrize("chain", ["[officer, officer]", "[officer, department_head, department_head]",
                                   "[department_head, officer, department_head]"])
def test_one_role_twice_in_a_chain_is_refused(chain: str) -> None:
    with pytest.raises(PolicyError, match="separation of duties"):
        parse_policy(f"approvals:\n  historical_search: {chain}\n")


def test_policy_check_cli(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("retention:\n  ordinary_days: 21\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("retention:\n  ordinary_days: 21\ndeployment:\n  max_cameras_per_km: -1\n")
    runner = CliRunner()
    ok = runner.invoke(cli, ["policy", "check", str(good)])
    assert ok.exit_code == 0 and "valid" in ok.output
    res = runner.invoke(cli, ["policy", "check", str(bad)])
    assert res.exit_code == 1
    assert f"{bad}:4:" in res.output
    missing = runner.invoke(cli, ["policy", "check", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1 and "cannot read" in missing.output


def test_shown_default_policy_round_trips() -> None:
    res = CliRunner().invoke(cli, ["policy", "show"])
    assert res.exit_code == 0
    assert parse_policy(res.output) == Policy()
