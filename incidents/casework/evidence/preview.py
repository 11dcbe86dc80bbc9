"""An image's preview: decoded and drawn again by the server (Pillow) as a fresh PNG, no bigger
than PREVIEW_PIXELS on a side, with no metadata (EXIF, GPS, comments): the original bytes are
never shown inline."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable

from PIL import Image, ImageOps

PREVIEW_PIXELS = 1200


def render(chunks: Iterable[bytes]) -> bytes:
    # The original is spooled (to disk past 8 MB) rather than joined in memory.
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as original:
        for chunk in chunks:
            original.write(chunk)
        original.seek(0)
        with Image.open(original) as image:
            image.seek(0)  # the first frame of an animation
            upright = ImageOps.exif_transpose(image)
            flat = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
            flat.thumbnail((PREVIEW_PIXELS, PREVIEW_PIXELS))
            # A new image from the pixels alone: nothing of the original's metadata travels.
            clean = Image.new(flat.mode, flat.size)
            clean.paste(flat)
            out = io.BytesIO()
            clean.save(out, "PNG", optimize=False)
    return out.getvalue()
