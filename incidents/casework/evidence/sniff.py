"""Which files are accepted, judged by their bytes: never by the name or the browser's claim.

Accepted: PNG, JPEG, GIF and WebP images that Pillow opens and verifies; PDF; plain text
(UTF-8); email (.eml); Word (.docx) and OpenDocument text (.odt) without macros. Refused, each
with a reason that names the file: anything else (HEIC until Pillow opens it here, video,
audio, archives, programs), SVG and HTML (they run scripts in a browser), a file that is two
types at once (a polyglot: a PDF or an archive inside another type), a document that unpacks
to far more than it holds (a zip bomb). The checks read the upload's spooled file, never the
whole file into memory.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from typing import IO

import filetype
from PIL import Image

from incidents.errors import InvalidInput

HEAD = 8192
TAIL = 66_000  # a zip's end record sits in its last 64 KiB + 22 bytes
MAX_NAME = 200
# A document's parts may unpack to this much in all, and each at most this ratio to its
# packed size: real Word files are far below both; a zip bomb is far above.
MAX_UNPACKED = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 2000
MAX_PIXELS = 60_000_000

IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
PDF = "application/pdf"
TEXT = "text/plain"
EMAIL = "message/rfc822"

LABELS = {
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/gif": "GIF image",
    "image/webp": "WebP image",
    PDF: "PDF document",
    TEXT: "Text file",
    EMAIL: "Email",
    DOCX: "Word document",
    ODT: "OpenDocument text",
}
ACCEPTED_SUMMARY = "a photo or screenshot (PNG, JPEG, GIF, WebP), a PDF, a text file, an email "
ACCEPTED_SUMMARY += "(.eml) or a Word or OpenDocument text document"

_ACTIVE = re.compile(rb"<\s*(svg|html|script|!doctype\s+html|iframe|body|\?xml)", re.IGNORECASE)
_EMAIL_HEADER = re.compile(
    rb"^(From|To|Subject|Date|Received|Return-Path|Message-ID|MIME-Version):"
)


@dataclass(frozen=True)
class Accepted:
    media_type: str

    @property
    def label(self) -> str:
        return LABELS[self.media_type]

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


def refuse(field: str, name: str, why: str) -> InvalidInput:
    return InvalidInput({field: f"{name}: {why}"})


def check_name(field: str, raw: str) -> str:
    """The file's own name, kept (encrypted) to show people what it is; never used as a path."""
    name = unicodedata.normalize("NFC", raw)
    if not name.strip():
        raise InvalidInput({field: "The selected file has no name: choose a file"})
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        raise InvalidInput({field: "The file's name has hidden control characters: rename it"})
    if "/" in name or "\\" in name or name in (".", "..") or ":" in name:
        raise InvalidInput(
            {field: "The file's name has folder parts in it (/, \\ or :): rename it"}
        )
    if len(name) > MAX_NAME:
        raise InvalidInput({field: f"The file's name must be {MAX_NAME} characters or fewer"})
    return name


def _read_at(stream: IO[bytes], offset: int, size: int) -> bytes:
    stream.seek(offset)
    return stream.read(size)


def sniff(field: str, name: str, stream: IO[bytes], size: int) -> Accepted:
    """The accepted type of the file, or InvalidInput naming the file and the reason."""
    head = _read_at(stream, 0, HEAD)
    tail = _read_at(stream, max(0, size - TAIL), TAIL)
    stream.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else None
    if head.startswith(b"PK\x03\x04"):
        return _document(field, name, stream)
    if mime in ("image/png", "image/jpeg", "image/gif", "image/webp"):
        _not_polyglot(field, name, head[16:], tail)
        return _image(field, name, stream)
    if head.startswith(b"%PDF-"):
        if b"PK\x05\x06" in tail:
            raise refuse(field, name, "this PDF has an archive hidden inside it")
        return Accepted(PDF)
    if mime is not None:
        if mime in ("image/heic", "image/heif", "image/avif"):
            raise refuse(
                field, name, "HEIC photos cannot be accepted yet: save it as a JPEG and try again"
            )
        raise refuse(field, name, f"this is a {kind.extension.upper()} file, which is not accepted")
    return _text(field, name, head, tail, stream)


def _not_polyglot(field: str, name: str, body_head: bytes, tail: bytes) -> None:
    # A PDF reader finds "%PDF" anywhere in the first KiB, and a zip reader works from the end:
    # a file that is also one of those is two files at once.
    if b"%PDF" in body_head[:1024] or b"PK\x05\x06" in tail or _ACTIVE.search(body_head):
        raise refuse(field, name, "this file is also another type of file, so it is not accepted")


def _image(field: str, name: str, stream: IO[bytes]) -> Accepted:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                fmt = image.format or ""
                if image.width * image.height > MAX_PIXELS:
                    raise refuse(field, name, "this image is too large to check safely")
                image.verify()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse(field, name, "this image is too large to check safely") from None
    except Exception:
        raise refuse(field, name, "this image is damaged and cannot be opened") from None
    finally:
        stream.seek(0)
    if fmt not in IMAGE_TYPES:
        raise refuse(field, name, "this type of image is not accepted")
    return Accepted(IMAGE_TYPES[fmt])


def _document(field: str, name: str, stream: IO[bytes]) -> Accepted:
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                media = DOCX
            elif "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                media = ODT
            else:
                raise refuse(field, name, "this is an archive (zip), which is not accepted")
            if any("vbaProject" in n or n.startswith(("Basic/", "Scripts/")) for n in names):
                raise refuse(field, name, "this document contains macros, which are not accepted")
            if len(members) > MAX_MEMBERS:
                raise refuse(field, name, "this document has too many parts to check safely")
            _not_a_bomb(field, name, archive, members)
    except InvalidInput:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        raise refuse(field, name, "this document is damaged and cannot be opened") from None
    finally:
        stream.seek(0)
    return Accepted(media)


def _not_a_bomb(
    field: str, name: str, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]
) -> None:
    """Unpack every part, counting what comes out (a part's own header may lie about its size):
    over the total or the ratio, it is refused before it is stored."""
    total = 0
    for member in members:
        packed = max(member.compress_size, 1)
        unpacked = 0
        with archive.open(member) as part:
            while block := part.read(65536):
                unpacked += len(block)
                total += len(block)
                if total > MAX_UNPACKED or unpacked > max(packed * MAX_RATIO, 1024 * 1024):
                    raise refuse(
                        field, name, "this document unpacks to far more than its size (a zip bomb)"
                    )


def _text(field: str, name: str, head: bytes, tail: bytes, stream: IO[bytes]) -> Accepted:
    if _ACTIVE.search(head) or _ACTIVE.search(tail):
        raise refuse(
            field, name, "web pages, SVG and XML files are not accepted: they can run code"
        )
    if b"PK\x05\x06" in tail or b"%PDF" in head[:1024]:
        raise refuse(field, name, "this file is also another type of file, so it is not accepted")
    # Plain text must be UTF-8 without NUL bytes, read through in blocks.
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while block := stream.read(1024 * 1024):
            if b"\x00" in block:
                raise refuse(field, name, "this type of file is not accepted")
            decoder.decode(block, final=False)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise refuse(field, name, "this type of file is not accepted") from None
    finally:
        stream.seek(0)
    lines = head.lstrip().splitlines()
    if lines and _EMAIL_HEADER.match(lines[0]) and any(b":" in line for line in lines[1:3]):
        return Accepted(EMAIL)
    return Accepted(TEXT)
