"""What every HTTP adapter needs: governance (the platform as ``Governance`` sees it, set on the app by
``server.create_app``), the public figures, compliance gathering, and the peer's address (for throttling and the
ledger)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from platewarden.audit.compliance.gathering import ComplianceGathering
from platewarden.audit.public import PublicFigures
from platewarden.governance.facade import Governance


def get_governance(request: Request) -> Governance:
    """The services, and nothing else: a route typed with this cannot reach a store (mypy refuses it)."""
    governance: Governance = request.app.state.platform
    return governance


def get_public(request: Request) -> PublicFigures:
    public: PublicFigures = request.app.state.public
    return public


def get_compliance(request: Request) -> ComplianceGathering:
    compliance: ComplianceGathering = request.app.state.compliance
    return compliance


GovernanceDep = Annotated[Governance, Depends(get_governance)]
PublicDep = Annotated[PublicFigures, Depends(get_public)]
ComplianceDep = Annotated[ComplianceGathering, Depends(get_compliance)]


def client_address(request: Request) -> str:
    """The peer's address (behind a proxy, configure it to pass the real one: uvicorn --proxy-headers)."""
    return request.client.host if request.client else "unknown"
