"""Files the site hands out (chart CSV and SVG, the workflow inventory): named after what users typed,
so the name is made safe for the Content-Disposition header whatever it holds."""

import os
import re
import string
import unicodedata
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.http import content_disposition_header

FALLBACK_CHARACTERS = frozenset(string.ascii_letters + string.digits + " ._-()[],'&+")


def attachment(content: str | bytes, *, filename: str, content_type: str) -> HttpResponse:
    """A response the browser saves as `filename` rather than shows."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_header(filename)
    return response


def attachment_header(filename: str) -> str:
    """RFC 6266: `attachment; filename="<an ASCII fallback>"; filename*=UTF-8''<the name, percent-encoded>`.
    Browsers use the UTF-8 name (RFC 5987) and older clients the fallback. Control characters and line
    breaks become spaces and a slash a dash, so no name can break the header or reach into a folder."""
    name = "".join(" " if unicodedata.category(char)[0] == "C" else char for char in filename)
    name = " ".join(name.replace("/", "-").replace("\\", "-").split()) or "download"
    header = content_disposition_header(as_attachment=True, filename=_ascii_fallback(name))
    return f"{header}; filename*=UTF-8''{quote(name, safe='')}"


def _ascii_fallback(name: str) -> str:
    """`name` in plain ASCII: accents dropped (é → e), anything else a dash ("Halcyon — 2026" → "Halcyon - 2026")."""
    stem, suffix = os.path.splitext(name)
    if not set(suffix) <= FALLBACK_CHARACTERS:
        stem, suffix = name, ""
    decomposed = unicodedata.normalize("NFKD", stem)
    letters = "".join(c if c in FALLBACK_CHARACTERS else "-" for c in decomposed if not unicodedata.combining(c))
    letters = " ".join(re.sub(r"-{2,}", "-", letters).split()).strip(" -")
    return f"{letters or 'download'}{suffix}"
