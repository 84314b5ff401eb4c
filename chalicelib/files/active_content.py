"""Active content in documents (F1): what in a PDF or an Office file runs or opens something by
itself. Found by parsing the documents' structure with maintained parsers, never by searching the
bytes (a name can be written ``/J#61vaScript``, hidden in a compressed object stream or split
across lines; a parser resolves all of that):

- PDFs with pypdf (already the G8 page counter): every object reachable from the trailer is
  visited once, object streams and ``#xx`` name escapes resolved by pypdf. Found: JavaScript
  (``/JS``, ``/S /JavaScript``, the ``/Names /JavaScript`` tree), launch actions, embedded files
  (``/EmbeddedFiles``, ``/EmbeddedFile`` streams, file-attachment annotations, ``/GoToE``),
  automatic actions (``/AA`` on the document, pages, annotations or fields, and an
  ``/OpenAction`` that does anything but show a page of the document), XFA forms (they carry
  scripts) and rich media (Flash).
- OOXML (docx, xlsx) with the standard library's zip reader: a VBA project (``vbaProject.bin``)
  or an Excel 4.0 macro sheet is macros, ``activeX/`` parts are ActiveX controls, an
  ``oleObject*.bin`` is an embedded OLE object (a Package object carries any file). ClamAV's
  AlertOLE2Macros raises ``Heuristics.OLE2.ContainsMacros`` too where it can read the VBA project
  (chalicelib/files/clamav.py); both end the same way.

Each check returns the kinds found (empty: a plain document) or raises ``DocumentError`` when the
structure cannot be read; the caller makes that unscannable, never clean."""
from __future__ import annotations

import zipfile
from typing import Any

from chalicelib.domain.files import ActiveContent

# A document with more objects than this is not walked to the end: unscannable, not clean.
MAX_PDF_OBJECTS = 200_000
MAX_OOXML_PARTS = 10_000


class DocumentError(Exception):
    pass


# -- PDF -----------------------------------------------------------------------------------------
_ACTION_KINDS = {
    "/JavaScript": ActiveContent.JAVASCRIPT,
    "/Launch": ActiveContent.LAUNCH,
    "/GoToE": ActiveContent.EMBEDDED_FILES,
    "/RichMediaExecute": ActiveContent.RICH_MEDIA,
}
_KEY_KINDS = {
    "/JS": ActiveContent.JAVASCRIPT,
    "/JavaScript": ActiveContent.JAVASCRIPT,  # the /Names tree of document-level scripts
    "/EmbeddedFiles": ActiveContent.EMBEDDED_FILES,
    "/EF": ActiveContent.EMBEDDED_FILES,  # a file specification's embedded file stream
    "/AA": ActiveContent.AUTOMATIC_ACTION,
    "/XFA": ActiveContent.FORM_SCRIPTS,
    "/RichMediaContent": ActiveContent.RICH_MEDIA,
}
_TYPE_KINDS = {"/EmbeddedFile": ActiveContent.EMBEDDED_FILES}
_NAME_KEYS = frozenset({"/S", "/Type", "/Subtype"})
_SUBTYPE_KINDS = {"/FileAttachment": ActiveContent.EMBEDDED_FILES, "/RichMedia": ActiveContent.RICH_MEDIA}


def _open_action_runs_something(value: Any) -> bool:
    """An ``/OpenAction`` that shows a page (a destination array, or ``/S /GoTo``) is ordinary;
    any other action runs by itself when the document opens."""
    from pypdf.generic import ArrayObject, DictionaryObject

    value = value.get_object() if hasattr(value, "get_object") else value
    if isinstance(value, ArrayObject):
        return False
    if isinstance(value, DictionaryObject):
        return value.get("/S") != "/GoTo" or "/Next" in value
    return False


def pdf_active_content(path: str) -> set[ActiveContent]:
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    found: set[ActiveContent] = set()
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            # Names and dictionaries are not encrypted; strings and streams are. The structure
            # walk still sees every key. (ClamAV's AlertEncryptedDoc reports it as well.)
            try:
                reader.decrypt("")
            except Exception:  # noqa: BLE001 - a user password: the keys remain readable
                pass
        todo: list[Any] = [reader.trailer]
        seen: set[tuple[int, int]] = set()
        visited = 0
        while todo:
            item = todo.pop()
            if isinstance(item, IndirectObject):
                ref = (item.idnum, item.generation)
                if ref in seen:
                    continue
                seen.add(ref)
                item = item.get_object()
            visited += 1
            if visited > MAX_PDF_OBJECTS:
                raise DocumentError(f"the PDF has more than {MAX_PDF_OBJECTS} objects")
            if isinstance(item, DictionaryObject):
                for key, raw in item.items():
                    value = raw.get_object() if isinstance(raw, IndirectObject) and key in _NAME_KEYS else raw
                    if key in _KEY_KINDS:
                        found.add(_KEY_KINDS[key])
                    elif key == "/S" and value in _ACTION_KINDS:
                        found.add(_ACTION_KINDS[value])
                    elif key == "/Type" and value in _TYPE_KINDS:
                        found.add(_TYPE_KINDS[value])
                    elif key == "/Subtype" and value in _SUBTYPE_KINDS:
                        found.add(_SUBTYPE_KINDS[value])
                    elif key == "/OpenAction" and _open_action_runs_something(value):
                        found.add(ActiveContent.AUTOMATIC_ACTION)
                    if key != "/Parent":  # the page tree's back links lead nowhere new
                        todo.append(raw)
            elif isinstance(item, ArrayObject):
                todo.extend(item)
    except DocumentError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure: the file cannot be checked
        raise DocumentError(f"the PDF's structure could not be read ({type(exc).__name__})") from None
    return found


# -- OOXML ---------------------------------------------------------------------------------------
def office_active_content(path: str) -> set[ActiveContent]:
    found: set[ActiveContent] = set()
    try:
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocumentError(f"the Office package could not be read ({type(exc).__name__})") from None
    if len(names) > MAX_OOXML_PARTS:
        raise DocumentError(f"the Office package has more than {MAX_OOXML_PARTS} parts")
    for name in names:
        part = name.lower()
        leaf = part.rsplit("/", 1)[-1]
        if leaf.startswith("vbaproject") or leaf == "vbadata.xml" or "/macrosheets/" in f"/{part}":
            found.add(ActiveContent.MACROS)
        elif "/activex/" in f"/{part}":
            found.add(ActiveContent.ACTIVEX)
        elif leaf.startswith("oleobject") and leaf.endswith(".bin"):
            found.add(ActiveContent.OLE_OBJECTS)
    return found


OFFICE_TYPES = frozenset({
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
})


def check(content_type: str, path: str) -> tuple[str, set[ActiveContent]] | None:
    """("PDF" | "Office", kinds found) for documents, None for other types."""
    if content_type == "application/pdf":
        return "PDF", pdf_active_content(path)
    if content_type in OFFICE_TYPES:
        return "Office", office_active_content(path)
    return None
