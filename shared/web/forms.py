"""Form posts read on the event loop, handled in the thread pool.

A page's POST route that needs fields it cannot name in advance (``c:<candidate>:<choice>``) takes
``form: FormDep``: the form is read by an async dependency, so the route itself can be a plain ``def``
that FastAPI runs in its thread pool, where it may wait on the event store without blocking the loop."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData


async def read_form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]
