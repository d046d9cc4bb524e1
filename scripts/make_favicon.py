"""Write the favicon: an SVG and its PNG/ICO fallbacks drawn from the same shapes (Pillow).

Run from the repository root: python scripts/make_favicon.py
The icon is three rising bars (progress) on the header's blue, in a rounded square.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "shinchoku" / "static" / "shinchoku"
BLUE = "#0b5394"
WHITE = "#ffffff"
ACCENT = "#f5b400"
SIZE = 64
RADIUS = 12
# (x, top, width, colour): the bars stand on y = 52.
BARS = [(12, 36, 10, WHITE), (27, 26, 10, WHITE), (42, 14, 10, ACCENT)]
BASE = 52


def svg() -> str:
    bars = "".join(
        f'<rect x="{x}" y="{top}" width="{w}" height="{BASE - top}" rx="2" fill="{c}"/>'
        for x, top, w, c in BARS
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
        f'width="{SIZE}" height="{SIZE}">'
        f'<rect width="{SIZE}" height="{SIZE}" rx="{RADIUS}" fill="{BLUE}"/>{bars}</svg>\n'
    )


def png(size: int) -> Image.Image:
    scale = 8  # draw large, then shrink: smooth edges
    big = SIZE * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), RADIUS * scale, fill=BLUE)
    for x, top, w, c in BARS:
        box = (x * scale, top * scale, (x + w) * scale - 1, BASE * scale - 1)
        draw.rounded_rectangle(box, 2 * scale, fill=c)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    (OUT / "favicon.svg").write_text(svg(), encoding="utf-8")
    png(32).save(OUT / "favicon-32.png")
    png(180).save(OUT / "apple-touch-icon.png")
    png(48).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
