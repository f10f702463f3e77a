"""Share cards: a 1200×630 PNG with a page's title, drawn by Pillow in a CJK font.

Cards are cached on disk under a digest of everything drawn on them (and of this module's
layout version), so a changed title makes a new card and an unchanged one is drawn once.
Without a CJK font the card is drawn without text and a warning is logged once per process.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import logging
import os
import re
import tempfile
from functools import cache
from pathlib import Path

from flask import Response, current_app, request
from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
LAYOUT_VERSION = 1
MARGIN = 80
TITLE_SIZE, TITLE_LINES, TITLE_LEADING = 64, 4, 1.35
FOOTER_SIZE = 34
BACKGROUND, INK, MUTED, ACCENT = "#ffffff", "#1f2328", "#656d76", "#c2410c"
# Debian's fonts-noto-cjk, then other common places; CARD_FONT overrides.
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)
FONT_PATTERNS = ("/usr/share/fonts/**/*CJK*", "/usr/share/fonts/**/wqy*")
# A run of Latin letters or digits is kept on one line; any other character may break.
BREAKABLE = re.compile(r"[A-Za-z0-9_\-.'’]+|\s+|.", re.S)


@cache
def find_font(configured: str | None) -> str | None:
    """The CJK font cards are drawn in, or None (logged once) when the host has none."""
    if configured and os.path.exists(configured):
        return configured
    for path in FONT_CANDIDATES:
        if os.path.exists(path):
            return path
    for pattern in FONT_PATTERNS:
        found = sorted(glob.glob(pattern, recursive=True))
        if found:
            return found[0]
    log.warning(
        "no CJK font found (install fonts-noto-cjk or set CARD_FONT): "
        "share cards are drawn without their titles"
    )
    return None


@cache
def simplified_chinese_face(path: str) -> int:
    """The index of the Simplified Chinese face in a font collection (Noto's .ttc holds the
    Japanese face first, whose forms of shared characters differ), else 0."""
    for index in range(16):
        try:
            family = ImageFont.truetype(path, 12, index=index).getname()[0] or ""
        except OSError:
            break
        if family.endswith(" SC") or "SC " in family:
            return index
    return 0


def load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=simplified_chinese_face(path))


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int, lines: int) -> list[str]:
    """Lines of `text` at most `width` pixels wide; the last shown line ends in … when cut."""
    rows: list[str] = [""]
    for piece in BREAKABLE.findall(" ".join(text.split())):
        candidate = rows[-1] + piece
        if font.getlength(candidate) <= width or not rows[-1].strip():
            rows[-1] = candidate
        else:
            rows.append(piece.lstrip())
    rows = [row.strip() for row in rows if row.strip()]
    if len(rows) > lines:
        rows = rows[:lines]
        last = rows[-1]
        while last and font.getlength(last + "…") > width:
            last = last[:-1]
        rows[-1] = last.rstrip() + "…"
    return rows


def draw_card(title: str, footer: str, font_path: str | None) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 24, HEIGHT), fill=ACCENT)
    draw.rectangle((0, HEIGHT - 8, WIDTH, HEIGHT), fill=ACCENT)
    if font_path:
        title_font = load_font(font_path, TITLE_SIZE)
        footer_font = load_font(font_path, FOOTER_SIZE)
        y = MARGIN
        for line in wrap(title, title_font, WIDTH - 2 * MARGIN, TITLE_LINES):
            draw.text((MARGIN, y), line, font=title_font, fill=INK)
            y += int(TITLE_SIZE * TITLE_LEADING)
        draw.text((MARGIN, HEIGHT - MARGIN - FOOTER_SIZE), footer, font=footer_font, fill=MUTED)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def card_png(title: str, footer: str) -> bytes:
    """The card for `title` (with `footer`, such as the site's name), from the disk cache when
    it was drawn before. Only text anyone may read belongs on a card."""
    font_path = find_font(current_app.config.get("CARD_FONT"))
    digest = hashlib.sha256(
        json.dumps([LAYOUT_VERSION, title, footer, font_path], ensure_ascii=False).encode()
    ).hexdigest()
    folder = Path(current_app.config["CARD_DIR"])
    cached = folder / f"{digest}.png"
    if cached.exists():
        return cached.read_bytes()
    data = draw_card(title, footer, font_path)
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".card-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, cached)
    return data


def card_digest(title: str, footer: str) -> str:
    """A short digest of what a card shows, to version its URL (`?v=`) for caches."""
    return hashlib.sha256(f"{LAYOUT_VERSION}\0{title}\0{footer}".encode()).hexdigest()[:12]


def card_response(title: str, max_age: int) -> Response:
    """The card image of `title` as a public PNG answer, with its ETag (304 on a match)."""
    site_name = current_app.config["SITE_NAME"]
    response = Response(card_png(title, site_name), mimetype="image/png")
    response.set_etag(card_digest(title, site_name))
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response.make_conditional(request)
