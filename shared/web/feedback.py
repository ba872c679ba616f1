"""What a page says back after a form it posted: a refusal in the page's language (the half of a
``中文 / English`` rule message; never a raw exception's English, never JSON), carried on the redirect
back to the page (``?error=``) and shown in its problem box."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse

from shared.persistence.application import NotFound
from shared.web.i18n import language
from shared.web.refusals import has_chinese, refusal_text

NOT_FOUND = "没有找到这条记录 / not found"


def refusal_of(exc: Exception) -> str:
    """A refusal as ``中文 / English``: a rule's own message, else a plain Chinese head before its English."""
    if isinstance(exc, NotFound):
        return NOT_FOUND
    text = str(exc)
    if has_chinese(text.partition(" / ")[0]):
        return text
    return f"填写的内容有误，请检查后再提交 / {text or 'the form is not valid'}"


def back_with(back: str, exc: Exception) -> RedirectResponse:
    """303 back to ``back`` with the refusal in ``?error=``."""
    sep = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{sep}error={quote(refusal_of(exc))}", status_code=303)


def done_then_back(request: Request, back: str, command: Callable[[], object]) -> RedirectResponse:
    """Run a form's command, then 303 back to ``back`` once the read models include what it stored, so
    the page read next shows it (``settle_views``); back with the refusal if a rule said no."""
    try:
        command()
    except (NotFound, ValueError) as exc:  # ValueError: a RuleViolation, or a value the command refused
        return back_with(back, exc)
    settle(request)
    return RedirectResponse(back, status_code=303)


def settle(request: Request) -> None:
    """Wait until the read models include what this request stored, so the page shown next shows it
    (``ServiceRuntime.settle_views``; nothing to wait for in a process without a service runtime)."""
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is not None:
        runtime.settle_views()


def problem_of(request: Request, message: str = "") -> dict[str, str] | None:
    """The problem box of a page: ``message`` or the redirect's ``?error=``, in the page's language."""
    text = message or request.query_params.get("error", "")
    return {"title": refusal_text(text, language(request)), "detail": ""} if text else None
