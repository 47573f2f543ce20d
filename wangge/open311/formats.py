"""XML and JSON answers and errors as GeoReport v2 writes them.

JSON follows the spec's "Spark convention" mapping of the XML: a list element
(``services``, ``service_requests``, ``errors``…) becomes an array of its items,
an element with children an object.  XML is schemaless, without a namespace,
preceded by the declaration with ``encoding="utf-8"``; empty values are empty
elements (``<account_id/>``), ``null`` in JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

JSON = "json"
XML = "xml"
FORMATS = (JSON, XML)
CONTENT_TYPES = {XML: "text/xml; charset=utf-8", JSON: "application/json; charset=utf-8"}
#: MIME types named in the discovery document.
MIME_TYPES = ("text/xml", "application/json")

#: A list element → the name of its items.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


@dataclass(frozen=True)
class Error:
    """One ``error`` of an ``errors`` answer: an English code and a Chinese description."""

    code: str
    description: str


class Open311Error(Exception):
    """A refusal: the HTTP status and one or more errors."""

    def __init__(self, status: int, errors: Sequence[Error]) -> None:
        super().__init__("; ".join(e.description for e in errors))
        self.status = status
        self.errors = list(errors)


def bad_request(code: str, description: str) -> Open311Error:
    return Open311Error(400, [Error(code, description)])


def not_found(code: str, description: str) -> Open311Error:
    return Open311Error(404, [Error(code, description)])


def forbidden(code: str, description: str) -> Open311Error:
    return Open311Error(403, [Error(code, description)])


#: Characters XML 1.0 cannot carry (control characters other than tab and line breaks…).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return NOT_XML.sub("", str(value))


def _append(parent: ET.Element, tag: str, value: Any) -> None:
    element = ET.SubElement(parent, tag)
    _fill(element, tag, value)


def _fill(element: ET.Element, tag: str, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list | tuple):
        item_tag = ITEM_TAGS[tag]
        for item in value:
            _append(element, item_tag, item)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, root, value)
    body = ET.tostring(element, encoding="unicode", short_empty_elements=True)
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'.encode()


def to_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def respond(fmt: str, root: str, value: Any, *, status: int = 200) -> HttpResponse:
    """``value`` (a list for list roots, a mapping otherwise) in ``fmt``, rooted at ``root``."""
    body = to_xml(root, value) if fmt == XML else to_json(value)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    items = [{"code": e.code, "description": e.description} for e in error.errors]
    return respond(fmt if fmt in FORMATS else XML, "errors", items, status=error.status)
