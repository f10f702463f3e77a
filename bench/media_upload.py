"""Time to turn an uploaded picture into what the site stores, next to a plain Pillow baseline.

Two pictures a phone sends: a 12-megapixel photo (4032×3024 JPEG with EXIF and a location) and a
screenshot (1179×2556 PNG). `clean_image` checks the type and the limits, turns the photo
upright, copies the bare pixels into a new image (dropping every piece of metadata), and encodes
the picture and its 1,280-px display copy. The baseline is the best simple version of the same
work: Pillow opens the file, decodes it, saves it in the same format without passing metadata,
and saves a 1,280-px copy made with `thumbnail` — no checks, no new image. Rounds alternate the
two; the figures are the medians, and ours as × the baseline's time (above 1 is slower).

    python bench/media_upload.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

from community.media.images import Limits, clean_image  # noqa: E402

LIMITS = Limits(max_bytes=10 * 1024 * 1024, max_pixels=40_000_000, display_width=1280)


def photo() -> bytes:
    """A photo-like JPEG: gradients and detail, EXIF with a GPS position."""
    width, height = 4032, 3024
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (gradient, gradient.rotate(90).resize((width, height)), gradient))
    draw = ImageDraw.Draw(image)
    for step in range(0, width, 24):
        draw.line((step, 0, width - step, height), fill=(step % 255, 90, 160), width=3)
    exif = Image.Exif()
    exif[0x0110] = "PhoneModel X"
    exif.get_ifd(0x8825).update({1: "N", 2: (31.0, 13.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def screenshot() -> bytes:
    image = Image.new("RGB", (1179, 2556), "white")
    draw = ImageDraw.Draw(image)
    for row in range(40, 2556, 56):
        draw.rectangle((48, row, 1131, row + 30), fill=(30 + row % 200, 30, 30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def baseline(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    image.load()
    kind = image.format
    out = io.BytesIO()
    image.save(out, kind, **({"quality": 85} if kind == "JPEG" else {}))
    if image.width > LIMITS.display_width:
        image.thumbnail((LIMITS.display_width, image.height), Image.Resampling.LANCZOS)
        image.save(io.BytesIO(), kind, **({"quality": 85} if kind == "JPEG" else {}))


def ours(data: bytes) -> None:
    clean_image(data, LIMITS)


def timed(work, data: bytes) -> float:
    start = time.perf_counter()
    work(data)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    for name, data in (("12 MP photo (JPEG)", photo()), ("phone screenshot (PNG)", screenshot())):
        times: dict[str, list[float]] = {"baseline": [], "ours": []}
        for _ in range(rounds):
            times["baseline"].append(timed(baseline, data))
            times["ours"].append(timed(ours, data))
        base, mine = (statistics.median(times[key]) for key in ("baseline", "ours"))
        print(
            f"{name}: {len(data) / 1024:,.0f} KB, baseline {base * 1000:.0f} ms, "
            f"clean_image {mine * 1000:.0f} ms, {mine / base:.2f}× the baseline"
        )


if __name__ == "__main__":
    main()
