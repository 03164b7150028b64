"""The console's plumbing, shared by its page modules: templates, who is signed in (server-side sessions), which
roles open which page, CSRF on forms, rendering and redirecting with a flash message."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from platewarden.domain.users import User
from platewarden.governance.accounts import AuthError
from platewarden.governance.facade import Governance
from platewarden.governance.sessions import SessionEnded
from platewarden.http.common import GovernanceDep
from platewarden.policy.model import Role

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


class LoginRequired(Exception):
    pass


class SecondFactorRequired(Exception):
    """Signed in with a password only, by someone whose roles need a second factor: enrol it first."""


LEDGER_ROLES = frozenset({Role.AUDITOR, Role.PROSECUTOR, Role.DEPARTMENT_HEAD, Role.ETHICS_BOARD})
# The console's pages and who may open them: the menu shows a person only these, and each page checks the same set.
PAGE_ROLES: dict[str, frozenset[Role]] = {
    "/alerts": frozenset({Role.OPERATOR, Role.OFFICER, Role.DEPARTMENT_HEAD}),
    "/approvals": frozenset({Role.DEPARTMENT_HEAD, Role.PROSECUTOR, Role.ETHICS_BOARD}),
    "/searches": frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD, Role.PROSECUTOR, Role.AUDITOR}),
    "/searches/new": frozenset({Role.OFFICER}),
    "/cases": frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD, Role.PROSECUTOR, Role.AUDITOR}),
    "/hotlist": frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD, Role.AUDITOR}),
    "/complaints": frozenset({Role.OFFICER, Role.DEPARTMENT_HEAD}),
    "/zones": frozenset({Role.OPERATOR, Role.OFFICER, Role.DEPARTMENT_HEAD, Role.PROSECUTOR, Role.ETHICS_BOARD,
                         Role.AUDITOR}),
    "/sharing": frozenset({Role.DEPARTMENT_HEAD, Role.PROSECUTOR, Role.AUDITOR}),
    "/ledger": LEDGER_ROLES,
    "/accounts": frozenset({Role.ADMINISTRATOR}),
}
MENU = [("/alerts", "Alerts"), ("/approvals", "Approvals"), ("/searches", "Searches"), ("/cases", "Cases"),
        ("/hotlist", "Hotlist"), ("/complaints", "Complaints"), ("/zones", "Zones"), ("/sharing", "Sharing"),
        ("/ledger", "Ledger"), ("/accounts", "Accounts")]


def person_label(p: Governance, user_id: str) -> str:
    """How a page names an account (applicant, approver, proposer); an id that names none is said to be unknown."""
    try:
        return p.accounts.get(user_id).label
    except LookupError:
        return f"unknown account {user_id[:8]}"


def allow(user: User, page: str) -> None:
    if not user.roles & PAGE_ROLES[page]:
        raise HTTPException(403, f"{page} is for: {', '.join(sorted(r.value for r in PAGE_ROLES[page]))}")


def session_user(request: Request, p: Governance, enrolling: bool = False) -> User:
    sid = request.session.get("sid")
    if not sid:
        raise LoginRequired
    try:
        info = p.accounts.sessions.resolve(sid)
        if info.mfa_pending and not enrolling:
            raise SecondFactorRequired
        return p.accounts.get_active(info.user_id)
    except (SessionEnded, AuthError) as exc:
        request.session.clear()
        request.session["flash"] = str(exc)
        raise LoginRequired from exc


def page_user(request: Request, p: GovernanceDep) -> User:
    return session_user(request, p)


def enrolling_page_user(request: Request, p: GovernanceDep) -> User:
    return session_user(request, p, enrolling=True)


UserDep = Annotated[User, Depends(page_user)]
EnrollingDep = Annotated[User, Depends(enrolling_page_user)]


def check_csrf(request: Request, token: str, *fields: str) -> None:
    """The form's CSRF token must match the session's; no field may carry control characters (PostgreSQL refuses
    NUL, and nothing a person types needs them)."""
    if not token or not secrets.compare_digest(token, request.session.get("csrf", "")):
        raise HTTPException(403, "missing or wrong CSRF token")
    if any(ord(c) < 32 and c not in "\t\n\r" for f in fields for c in f):
        raise HTTPException(422, "control characters are not allowed")


def render(request: Request, name: str, user: User | None, **ctx: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {
        "user": user, "roles": ", ".join(sorted(r.value for r in user.roles)) if user else "",
        "sees_ledger": bool(user and user.roles & LEDGER_ROLES),
        "menu": [(href, label) for href, label in MENU if user and user.roles & PAGE_ROLES[href]],
        "csrf": request.session.get("csrf", ""), "title": ctx.pop("title", "platewarden"),
        "flash": request.session.pop("flash", None), **ctx})


def back(url: str, request: Request, flash: str | None = None) -> RedirectResponse:
    if flash:
        request.session["flash"] = flash
    return RedirectResponse(url, status_code=303)


HEADINGS = {400: "The request could not be understood", 401: "Please sign in", 403: "Not allowed",
            404: "Not found", 405: "Not possible here", 409: "Not possible now",
            422: "Something in the form is not valid", 429: "Too many attempts: wait a little"}


def error_page(request: Request, status: int, detail: str, headers: dict[str, str] | None = None) -> HTMLResponse:
    """A refusal as a page a person can read (the API answers the same refusal as JSON)."""
    response = templates.TemplateResponse(request, "error.html", {
        "user": None, "roles": "", "sees_ledger": False, "menu": [], "csrf": "", "flash": None,
        "title": HEADINGS.get(status, "Error"), "heading": HEADINGS.get(status, "Something went wrong"),
        "detail": detail, "status": status}, status_code=status)
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


def is_console(request: Request) -> bool:
    """Console pages answer in HTML; the API, the metrics and the docs in JSON."""
    return not request.url.path.startswith(("/api/", "/metrics", "/docs", "/openapi.json"))
