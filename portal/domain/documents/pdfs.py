"""Uploaded PDFs: refused when they are ambiguous or carry programs, otherwise rebuilt from their pages.

Why rebuild: a PDF is a graph of objects that a viewer finds through a cross-reference table, and a
crafted file can make two parsers read different objects (the same object number defined twice, offsets
that send one parser into a repair scan and not another, an update appended after the end). Checking
the file with one parser and storing its bytes checks one document and serves another. So the portal
stores a new file that qpdf writes from what it read (each page's content, resources, boxes and rotation,
nothing else) and has a second parser (pypdf) check that new file. What is stored is what was checked,
and every viewer reads the same thing from it.

The steps, cheapest first:
1. Raw bytes. The file must end at its last `%%EOF` (only whitespace may follow: an update appended
   after it is read by some viewers and not by others); an object number defined twice in one revision
   is refused; every name outside streams is decoded (`/J#61vaScript` is `/JavaScript`) and the file is
   refused when one names a script, a program, a sending action or an attached file.
2. qpdf opens it as written. A file it can only read by rebuilding the cross-reference table (wrong
   offsets, or no table at all, as some scanners write) is accepted only when that rebuild has a single
   possible result: no object number defined twice anywhere in the file, and no compressed object
   streams (whose contents a rebuild may or may not look into).
3. qpdf's reading is walked for the same names (this sees inside compressed object streams).
4. Visible annotations and filled-in form fields are flattened into the page (so what the applicant saw
   stays visible), then a new file is written with the pages alone: no catalog entries but the page
   tree, no annotations, links, bookmarks, forms, open actions, metadata or document information.
5. pypdf reads the new file; anything interactive left in it, or another page count, refuses the upload.
All of it runs in a forked child with a memory and time budget (isolation.py): qpdf inflates object
streams without limit.

Links (`/URI`, `/GoTo`, `/GoToR`), bookmarks and forms are dropped silently: ordinary documents have
them and lose nothing a clerk needs. Scripts, launch/submit/import actions, media and attached files
are refused instead: dropping them could silently lose what the applicant meant to send (an attached
file, an XFA form whose pages are only a "please wait" placeholder), and ordinary scans never have them.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Callable, Iterable

import pikepdf
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from portal.domain.documents.isolation import run_limited
from portal.domain.documents.refused import UploadRefused

# Keys, action types (/S) and object types (/Type, /Subtype) that run, send or carry something: refused.
_PROGRAM_KEYS = frozenset({"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA", "/RichMediaContent"})
_PROGRAM_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE",
                              "/RichMediaExecute", "/Rendition", "/Sound", "/Movie"})
_PROGRAM_TYPES = frozenset({"/EmbeddedFile", "/FileAttachment", "/RichMedia", "/Sound", "/Movie", "/Screen", "/3D"})
_PROGRAM_NAMES = _PROGRAM_KEYS | _PROGRAM_ACTIONS | _PROGRAM_TYPES
# What the rebuild drops (links, bookmarks, forms, open actions): the rebuilt file must not have these either.
_INTERACTIVE_KEYS = frozenset({"/OpenAction", "/AA", "/A", "/Annots", "/AcroForm", "/Names", "/Outlines",
                               "/URI", "/Dests"})
_INTERACTIVE_TYPES = frozenset({"/Annot", "/Action", "/Filespec"})
_ALL_ACTIONS = _PROGRAM_ACTIONS | frozenset({"/GoTo", "/GoToR", "/GoToDp", "/Thread", "/URI", "/Hide", "/Named",
                                             "/ResetForm", "/SetOCGState", "/Trans", "/GoTo3DView"})
# The page entries a rebuilt page keeps; the first four may be inherited from the page tree.
_INHERITED_PAGE_KEYS = ("/MediaBox", "/CropBox", "/Rotate", "/Resources")
_LETTER = (0, 0, 612, 792)  # what viewers assume for a page without a MediaBox
# A scanned letter has some hundreds of objects; a file that makes us visit more is refused, not walked.
MAX_OBJECTS = 50_000
# A 10 MB scan needs some tens of MB and well under a second; an inflation bomb needs far more of both.
MEMORY_BUDGET = 512 * 1024 * 1024
SECONDS_BUDGET = 20
_PDF_WHITESPACE = b"\x00\t\n\x0c\r "
# "12 0" just before an "obj": matched backwards from each "obj", which is far quicker than a forward scan
# of megabytes of image data for digits.
_OBJECT_NUMBERS = re.compile(rb"(?<![0-9])([0-9]{1,10})[\x00\t\n\x0c\r ]+([0-9]{1,5})[\x00\t\n\x0c\r ]+\Z")
_NAME_TOKEN = re.compile(rb"/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")

# pypdf logs every oddity of a malformed file as a warning; a refused upload says enough.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def clean_pdf(data: bytes) -> bytes:
    """The PDF as it will be stored (a new file with the pages alone), or UploadRefused:
    `damaged`, `unclear_pdf` (two readings possible), `encrypted_pdf`, `active_pdf`.
    The parsers run in a child process with a memory and time budget (isolation.py)."""
    return run_limited(_clean, data, memory_bytes=MEMORY_BUDGET, seconds=SECONDS_BUDGET)


def _clean(data: bytes) -> bytes:
    _check_raw_bytes(data)
    pdf = _open(data)
    try:
        if pdf.is_encrypted:
            raise UploadRefused("encrypted_pdf")
        if len(pdf.objects) > MAX_OBJECTS:
            raise UploadRefused("damaged")
        if _any_flagged(_qpdf_dictionaries(pdf), strict=False):
            raise UploadRefused("active_pdf")
        pages, rebuilt = len(pdf.pages), _rebuild(pdf)
    except pikepdf.PdfError:  # a broken object found while reading on
        raise UploadRefused("damaged") from None
    finally:
        pdf.close()
    _check_rebuilt(rebuilt, pages)
    return rebuilt


def _check_raw_bytes(data: bytes) -> None:
    end = data.rfind(b"%%EOF")
    if end < 0:
        raise UploadRefused("damaged")  # every PDF ends with %%EOF: a file without one was cut short
    if data[end + 5:].strip(_PDF_WHITESPACE):
        raise UploadRefused("unclear_pdf")
    # Between two %%EOF lies one revision; an object is defined once in it (a later revision may redefine it).
    for revision in data.split(b"%%EOF"):
        if _has_duplicates(revision):
            raise UploadRefused("unclear_pdf")
    if _raw_names(data) & _PROGRAM_NAMES:
        raise UploadRefused("active_pdf")


def _has_duplicates(data: bytes) -> bool:
    seen: set[tuple[int, int]] = set()
    at = data.find(b"obj")
    while at >= 0:
        header = _OBJECT_NUMBERS.search(data, max(0, at - 40), at)
        if header and not data[at + 3:at + 4].isalpha():
            key = (int(header[1]), int(header[2]))
            if key in seen:
                return True
            seen.add(key)
        at = data.find(b"obj", at + 3)
    return False


def _raw_names(data: bytes) -> set[str]:
    """Every name written outside a stream, #xx escapes decoded: also those in objects no table points to."""
    outside = b" ".join(_outside_streams(data))
    return {_HEX_ESCAPE.sub(lambda m: bytes.fromhex(m[1].decode()), token).decode("latin-1")
            for token in set(_NAME_TOKEN.findall(outside))}


def _outside_streams(data: bytes) -> Iterable[bytes]:
    """The file without the bodies of its streams (images, fonts, page content): only dictionaries are left."""
    at = 0
    while (start := data.find(b"stream", at)) >= 0:
        body = start + len(b"stream")
        end = data.find(b"endstream", body)
        if data[start - 3:start] == b"end" or data[body:body + 1] not in (b"\r", b"\n") or end < 0:
            yield data[at:body]  # not the start of a stream body: keep scanning what follows
            at = body
            continue
        yield data[at:start]
        at = end + len(b"endstream")
    yield data[at:]


def _open(data: bytes) -> pikepdf.Pdf:
    """qpdf's reading of the file: as written, or rebuilt when that can only give one result."""
    try:
        pdf = pikepdf.open(io.BytesIO(data), attempt_recovery=False)
        _ = pdf.objects  # reads every object: a wrong offset shows here, not later
        return pdf
    except pikepdf.PasswordError:
        raise UploadRefused("encrypted_pdf") from None
    except pikepdf.PdfError:
        pass
    if _has_duplicates(data) or "/ObjStm" in _raw_names(data):
        # A rebuild must choose between two definitions or guess at hidden ones; viewers choose differently.
        raise UploadRefused("unclear_pdf")
    try:
        pdf = pikepdf.open(io.BytesIO(data))
        _ = pdf.objects
        return pdf
    except pikepdf.PasswordError:
        raise UploadRefused("encrypted_pdf") from None
    except pikepdf.PdfError:
        raise UploadRefused("damaged") from None


def _qpdf_dictionaries(pdf: pikepdf.Pdf) -> Iterable[tuple[set[str], Callable[[str], str | None]]]:
    """(keys, name value of a key) for every dictionary in the file, direct ones nested inside objects too."""
    for top in pdf.objects:
        pending = [top]
        while pending:
            node = pending.pop()
            if isinstance(node, (pikepdf.Dictionary, pikepdf.Stream)):
                yield set(node.keys()), lambda key, node=node: _pikepdf_name(node.get(key))
                children = node.values()
            elif isinstance(node, pikepdf.Array):
                children = node
            else:
                continue
            # Numbers and strings come back as Python values; indirect objects are visited at the top.
            pending.extend(c for c in children if isinstance(c, pikepdf.Object) and not c.is_indirect)


def _pikepdf_name(value) -> str | None:
    return str(value) if isinstance(value, pikepdf.Name) else None


def _any_flagged(dictionaries: Iterable[tuple[set[str], Callable[[str], str | None]]], strict: bool) -> bool:
    """Does any dictionary run, send or carry something (or, when strict, link or act at all)?"""
    for keys, name_of in dictionaries:
        action, kinds = name_of("/S") if "/S" in keys else None, {name_of("/Type"), name_of("/Subtype")}
        if keys & _PROGRAM_KEYS or action in _PROGRAM_ACTIONS or kinds & _PROGRAM_TYPES:
            return True
        if strict and (keys & _INTERACTIVE_KEYS or action in _ALL_ACTIONS or kinds & _INTERACTIVE_TYPES):
            return True
    return False


def _rebuild(src: pikepdf.Pdf) -> bytes:
    if "/AcroForm" in src.Root:
        src.generate_appearance_streams()  # filled-in fields without a drawn appearance would vanish
    src.flatten_annotations("screen")
    out = pikepdf.new()
    for page in src.pages:
        kept = pikepdf.Dictionary(Type=pikepdf.Name.Page)
        for key in _INHERITED_PAGE_KEYS:
            value = _inherited(page.obj, key)
            if value is not None:
                kept[key] = value
        if "/MediaBox" not in kept:
            kept.MediaBox = pikepdf.Array(_LETTER)
        if "/Contents" in page.obj:
            kept.Contents = page.obj.Contents
        out.pages.append(pikepdf.Page(src.make_indirect(kept)))  # copies what it reaches, nothing else
    written = io.BytesIO()
    out.save(written, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
             fix_metadata_version=False)
    return written.getvalue()


def _inherited(page: pikepdf.Dictionary, key: str):
    node = page
    for _depth in range(64):  # a page tree deeper than this is a loop
        if key in node:
            return node[key]
        if "/Parent" not in node:
            return None
        node = node.Parent
    raise UploadRefused("damaged")


def _check_rebuilt(data: bytes, pages: int) -> None:
    """The second parser's reading of the file to be stored: the same pages, nothing active."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            same_pages = len(reader.pages) == pages
            flagged = _any_flagged(_pypdf_dictionaries(reader.trailer["/Root"]), strict=True)
    except Exception:  # noqa: BLE001 - pypdf raises many kinds of error on a file it cannot read
        raise UploadRefused("damaged") from None
    if not same_pages:
        raise UploadRefused("damaged")
    if flagged:
        raise UploadRefused("active_pdf")


def _pypdf_dictionaries(root) -> Iterable[tuple[set[str], Callable[[str], str | None]]]:
    """(keys, name value of a key) for every dictionary reachable from `root`, as pypdf reads them."""
    seen: set[tuple[int, int]] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                continue
            seen.add((node.idnum, node.generation))
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            yield set(node.keys()), lambda key, node=node: _pypdf_name(node.get(key))
            pending.extend(node.values())
        elif isinstance(node, ArrayObject):
            pending.extend(node)


def _pypdf_name(value) -> str | None:
    value = value.get_object() if isinstance(value, IndirectObject) else value
    return str(value) if isinstance(value, NameObject) else None
