"""Open311 GeoReport v2's two formats: every answer is built once as JSON-shaped data and written
as JSON or as the spec's XML (http://wiki.open311.org/GeoReport_v2#Format_Support), errors included.

XML: UTF-8 with its declaration; a list is an element named after its plural holding one element
per item (``<services><service>…``, ``<service_requests><request>…``, ``<errors><error>…``);
``true``/``false`` for booleans; an absent value is an empty element.
"""

from __future__ import annotations

import json
from typing import Any, Literal
from xml.etree import ElementTree

from fastapi.responses import Response

Format = Literal["json", "xml"]
FORMATS: tuple[Format, ...] = ("json", "xml")
MEDIA_TYPES = {"json": "application/json", "xml": "text/xml"}

# a list element's name -> the name of each item in it
ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "service_requests": "request",
    "errors": "error",
}


class Open311Error(Exception):
    """Answered as the spec's error list, ``[{code, description}]``, with ``code`` as the HTTP status."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def format_of(value: str) -> Format:
    if value not in FORMATS:
        raise Open311Error(404, f"unknown format .{value}: use .json or .xml")
    return "xml" if value == "xml" else "json"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: ElementTree.Element, name: str, value: Any) -> None:
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, sub in value.items():
            _fill(element, key, sub)
    elif isinstance(value, list):
        item = ITEMS[name]
        for sub in value:
            _fill(element, item, sub)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    """``value`` (a dict, or a list of dicts) as the document ``<root>…</root>``."""
    holder = ElementTree.Element("holder")
    _fill(holder, root, value)
    body = ElementTree.tostring(holder[0], encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def answer(fmt: Format, root: str, value: Any, status: int = 200) -> Response:
    """``value`` as JSON, or as XML under ``root`` (the spec's element for this answer)."""
    if fmt == "xml":
        content = to_xml(root, value)
    else:
        content = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(content, status_code=status, media_type=f"{MEDIA_TYPES[fmt]}; charset=utf-8")


def error_answer(fmt: Format, code: int, description: str) -> Response:
    return answer(fmt, "errors", [{"code": code, "description": description}], status=code)


def format_in_path(path: str) -> Format:
    """The format an error about ``path`` is written in: XML when the path asks for ``.xml``."""
    return "xml" if path.rstrip("/").endswith(".xml") else "json"
