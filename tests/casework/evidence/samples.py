"""Small real files of every accepted type, and the files that must be refused, made here so the
tests need nothing from outside."""

from __future__ import annotations

import io
import zipfile

from PIL import Image


def image(fmt: str, size: tuple[int, int] = (40, 30), *, exif: bool = False) -> bytes:
    out = io.BytesIO()
    picture = Image.new("RGB", size, (200, 30, 60))
    if exif:
        data = Image.Exif()
        data[0x010F] = "Camera-Maker-Secret"  # Make
        data[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS: where the photo was taken
        picture.save(out, fmt, exif=data.tobytes())
    else:
        picture.save(out, fmt)
    return out.getvalue()


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
TEXT = "Message from the group chat, 3 March: \u201cwho\u2019s coming?\u201d\n".encode()
EMAIL = (
    b"From: parent@example.invalid\r\nTo: office@school.invalid\r\n"
    b"Subject: What I saw\r\nDate: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\nHello.\r\n"
)


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>Hello</w:document>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def zip_bomb() -> bytes:
    # 300 MB of zeros packs to about 300 KB: a "document" that unpacks a thousandfold.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            block = bytes(1024 * 1024)
            for _ in range(300):
                part.write(block)
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return out.getvalue()


ACCEPTED: dict[str, tuple[str, bytes]] = {
    "screenshot.png": ("image/png", image("PNG")),
    "photo.jpg": ("image/jpeg", image("JPEG")),
    "animation.gif": ("image/gif", image("GIF")),
    "post.webp": ("image/webp", image("WEBP")),
    "letter.pdf": ("application/pdf", PDF),
    "chat.txt": ("text/plain", TEXT),
    "email.eml": ("message/rfc822", EMAIL),
    "statement.docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        docx(),
    ),
    "statement.odt": ("application/vnd.oasis.opendocument.text", odt()),
}

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(100)
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(100)
EXE = b"MZ\x90\x00" + bytes(200)

# (name, bytes, words the refusal must contain)
REFUSED: list[tuple[str, bytes, str]] = [
    ("empty.png", b"", "empty"),
    ("drawing.svg", SVG, "can run code"),
    ("page.html", HTML, "can run code"),
    ("page.txt", HTML, "can run code"),
    ("video.mp4", MP4, "not accepted"),
    ("photo.heic", HEIC, "HEIC"),
    ("program.exe", EXE, "not accepted"),
    ("bomb.docx", zip_bomb(), "zip bomb"),
    ("archive.zip", plain_zip(), "archive"),
    ("macros.docx", docx({"word/vbaProject.bin": b"x"}), "macros"),
    ("polyglot.png", image("PNG") + plain_zip(), "another type"),
    ("polyglot.jpg", image("JPEG")[:20] + b"%PDF-1.4" + image("JPEG")[20:], "another type"),
    ("pdfzip.pdf", PDF + plain_zip(), "archive hidden"),
    ("broken.png", image("PNG")[:60], "damaged"),
    ("binary.dat", b"\x01\x02\x00\x00\xff" * 50, "not accepted"),
]

BAD_NAMES: list[tuple[str, str]] = [
    ("../../etc/passwd.txt", "folder parts"),
    ("C:\\Users\\x.txt", "folder parts"),
    ("evil\x00.txt", "control characters"),
    ("right\u202etxt.exe", "control characters"),
    ("line\nbreak.txt", "control characters"),
    ("", "no name"),
    ("a" * 250 + ".txt", "200 characters"),
]
