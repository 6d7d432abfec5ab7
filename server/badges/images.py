"""Badge images: generated emblems (PNG and SVG) and validation of uploaded badge images.

The generated emblem is one scene of flat shapes (circles and convex polygons) drawn twice: as
SVG elements, and rasterized in pure Python (zlib + struct) into an RGBA PNG. Colors come from
a SHA-256 of the badge name, so a badge always looks the same; the level shows in the outline
(circle or hexagon), the number of light rings in the border, ribbon tails for the two upper
levels, and the small emblem above the banner. The SVG adds the name's initials on the banner.

Uploads are accepted only as PNG or as a conservative subset of SVG (no scripts, no event
attributes, no foreignObject, no external references, no DTD), and anything else raises
:class:`ImageError` with a message meant for the person uploading.
"""

from __future__ import annotations

import colorsys
import functools
import hashlib
import math
import re
import struct
import unicodedata
import zlib
from array import array
from dataclasses import dataclass
from xml.parsers import expat

from server.badges.baking import PNG_SIGNATURE, BakingError, read_png_header

__all__ = [
    "LEVELS",
    "MAX_PNG_UPLOAD_BYTES",
    "MAX_SVG_UPLOAD_BYTES",
    "MAX_UPLOAD_DIMENSION",
    "MIN_UPLOAD_DIMENSION",
    "ImageError",
    "check_upload",
    "generated_png",
    "generated_svg",
    "initials",
]

LEVELS = ("participation", "skill", "achievement", "summit")
MIN_UPLOAD_DIMENSION = 64
MAX_UPLOAD_DIMENSION = 2048
MAX_PNG_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_SVG_UPLOAD_BYTES = 512 * 1024
_MIN_GENERATED_SIZE = 16
_MAX_GENERATED_SIZE = 1024
_SVG_VIEW = 256  # the SVG's user units; it scales to any display size
_SVG_NAMESPACE = "http://www.w3.org/2000/svg"


class ImageError(ValueError):
    """The image is not acceptable; the message can be shown to the person who uploaded it."""


# --------------------------------------------------------------------------- the scene

RGBA = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class _Circle:
    cx: float
    cy: float
    r: float


@dataclass(frozen=True, slots=True)
class _Polygon:
    points: tuple[tuple[float, float], ...]  # convex, either winding


_Shape = _Circle | _Polygon


@dataclass(frozen=True, slots=True)
class _Paint:
    """A solid color, or a vertical gradient from ``top`` (y=0) to ``bottom`` (y=1)."""

    top: RGBA
    bottom: RGBA


@dataclass(frozen=True, slots=True)
class _Layer:
    shape: _Shape
    paint: _Paint


def _rgb(hue: float, lightness: float, saturation: float) -> RGBA:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return (round(r * 255), round(g * 255), round(b * 255), 255)


def _solid(color: RGBA) -> _Paint:
    return _Paint(color, color)


def _regular(cx: float, cy: float, r: float, sides: int, turn: float = 0.0) -> _Polygon:
    # Vertices clockwise on screen (y down) starting at the top, `turn` in fractions of a side.
    return _Polygon(
        tuple(
            (
                cx + r * math.sin(2 * math.pi * (i + turn) / sides),
                cy - r * math.cos(2 * math.pi * (i + turn) / sides),
            )
            for i in range(sides)
        )
    )


# One ribbon tail in units of the body radius from its center (the other is its mirror).
_TAIL_PIECES = (
    ((-0.40, 0.50), (-0.04, 0.66), (-0.24, 1.28), (-0.42, 1.10)),
    ((-0.40, 0.50), (-0.36, 0.80), (-0.42, 1.10), (-0.62, 1.16)),
)


def _level_index(level: str) -> int:
    if level not in LEVELS:
        raise ImageError(f"Unknown badge level {level!r}; expected one of {', '.join(LEVELS)}")
    return LEVELS.index(level)


@dataclass(frozen=True, slots=True)
class _Scene:
    """The emblem in unit coordinates, back to front, and where the SVG writes the initials."""

    layers: list[_Layer]
    label_x: float
    label_y: float
    label_height: float
    label_color: RGBA


def _luminance(color: RGBA) -> float:
    return (0.2126 * color[0] + 0.7152 * color[1] + 0.0722 * color[2]) / 255


def _scene(name: str, level: str) -> _Scene:
    """The emblem for a badge name and level; both renderers draw exactly this."""
    if not isinstance(name, str):
        raise ImageError("The badge name must be a string")
    index = _level_index(level)
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).digest()
    hue = int.from_bytes(digest[:2], "big") / 65536
    # The accent sits a third to a half turn away: contrasting but not clashing.
    accent_hue = hue + 0.33 + digest[2] / 255 * 0.17
    dark = _rgb(hue, 0.30, 0.55)
    border = _Paint(_rgb(hue, 0.52, 0.62), _rgb(hue, 0.36, 0.62))
    stripe = _solid(_rgb(hue, 0.86, 0.55))
    face = _Paint(_rgb(hue, 0.97, 0.45), _rgb(hue, 0.86, 0.45))
    accent = _rgb(accent_hue, 0.52, 0.62)
    accent_dark = _rgb(accent_hue, 0.36, 0.62)
    emblem = _solid(dark)

    hexagon = index in (1, 3)
    tails = index >= 2
    # Room for the tails below the body moves it up a little.
    cx, cy, radius = 0.5, (0.46 if tails else 0.5), 0.40

    def outline(r: float) -> _Shape:
        # A hexagon's circumradius is a little larger so both outlines look the same size.
        return _regular(cx, cy, r * 1.07, 6) if hexagon else _Circle(cx, cy, r)

    layers: list[_Layer] = []
    if tails:
        for side in (-1, 1):
            # The notched end is concave, so the tail is two convex pieces; they overlap
            # rather than share an edge, which antialiasing would show as a seam.
            for piece in _TAIL_PIECES:
                tail = tuple((cx + side * x * radius, cy + y * radius) for x, y in piece)
                layers.append(_Layer(_Polygon(tail), _solid(accent_dark)))
    layers.append(_Layer(outline(radius), _solid(dark)))
    layers.append(_Layer(outline(radius * 0.96), border))
    rings = index + 1
    band_outer, band_inner = 0.90, 0.70
    step = (band_outer - band_inner) / rings
    for k in range(rings):
        mid = band_outer - step * (k + 0.5)
        half = min(0.022, step * 0.28)
        layers.append(_Layer(outline(radius * (mid + half)), stripe))
        layers.append(_Layer(outline(radius * (mid - half)), border))
    layers.append(_Layer(outline(radius * band_inner), _solid(dark)))
    layers.append(_Layer(outline(radius * (band_inner - 0.03)), face))

    # The banner across the middle, with darker folded ends behind it.
    by, bh = cy + 0.10 * radius, 0.30 * radius
    for side in (-1, 1):
        x0, x1 = cx + side * 0.78 * radius, cx + side * 1.06 * radius
        end = (
            (x0, by - bh * 0.30),
            (x1, by - bh * 0.30),
            (x1, by + bh * 0.70),
            (x0, by + bh * 0.70),
        )
        layers.append(_Layer(_Polygon(end), _solid(accent_dark)))
    left, right, upper, lower = cx - 0.90 * radius, cx + 0.90 * radius, by - bh / 2, by + bh / 2
    bar = ((left, upper), (right, upper), (right, lower), (left, lower))
    layers.append(_Layer(_Polygon(bar), _solid(accent)))

    ex, ey, es = cx, cy - 0.31 * radius, 0.17 * radius
    if index == 0:
        layers.append(_Layer(_Circle(ex, ey, es * 0.75), emblem))
    elif index == 1:
        layers.append(_Layer(_regular(ex, ey, es, 4), emblem))
    elif index == 2:
        layers.append(_Layer(_regular(ex, ey, es, 6, 0.5), emblem))
    else:
        # A mountain with a snow cap.
        peak = (
            (ex, ey - es * 1.05),
            (ex + es * 1.35, ey + es * 0.75),
            (ex - es * 1.35, ey + es * 0.75),
        )
        cap = (
            (ex, ey - es * 1.05),
            (ex + es * 0.45, ey - es * 0.45),
            (ex - es * 0.45, ey - es * 0.45),
        )
        layers.append(_Layer(_Polygon(peak), emblem))
        layers.append(_Layer(_Polygon(cap), stripe))
    # Initials stay legible whether the hashed accent came out light (yellow) or dark (blue).
    label = (32, 32, 40, 255) if _luminance(accent) > 0.55 else (255, 255, 255, 255)
    return _Scene(layers, cx, by, bh, label)


def _ccw(points: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
    # Positive shoelace area, so that (dy, -dx) is the outward normal of every edge.
    area = sum(
        x0 * y1 - x1 * y0
        for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True)
    )
    return points if area > 0 else tuple(reversed(points))


# --------------------------------------------------------------------------- rasterizer


class _Raster:
    """A shape in pixel units with what a scanline needs: edges (as half-planes) or a circle.

    Coverage is 0.5 minus the signed distance at the pixel center, clamped: one pixel of
    antialiasing. Per row, the span of fully covered pixels is filled with one slice
    assignment; only the few pixels on the boundary are blended one by one.
    """

    __slots__ = ("circle", "planes", "y_max", "y_min")

    def __init__(self, shape: _Shape, scale: float) -> None:
        self.planes: list[tuple[float, float, float]] = []
        self.circle: tuple[float, float, float] | None = None
        if isinstance(shape, _Circle):
            cx, cy, r = shape.cx * scale, shape.cy * scale, shape.r * scale
            self.circle = (cx, cy, r)
            self.y_min, self.y_max = cy - r, cy + r
            return
        pts = [(x * scale, y * scale) for x, y in _ccw(shape.points)]
        for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
            length = math.hypot(x1 - x0, y1 - y0)
            if length == 0:
                continue
            # _ccw made the winding positive, so (dy, -dx) / length points outward.
            nx, ny = (y1 - y0) / length, (x0 - x1) / length
            self.planes.append((nx, ny, nx * x0 + ny * y0))
        ys = [y for _, y in pts]
        self.y_min, self.y_max = min(ys), max(ys)

    def span(self, y: float, grow: float) -> tuple[float, float] | None:
        """The x interval where the signed distance is below ``grow`` on the line ``y``."""
        if self.circle is not None:
            cx, cy, r = self.circle
            rr = r + grow
            dy = y - cy
            if rr <= 0 or abs(dy) >= rr:
                return None
            half = math.sqrt(rr * rr - dy * dy)
            return cx - half, cx + half
        lo, hi = -math.inf, math.inf
        for nx, ny, d in self.planes:
            limit = d + grow - ny * y
            if nx > 1e-12:
                hi = min(hi, limit / nx)
            elif nx < -1e-12:
                lo = max(lo, limit / nx)
            elif limit < 0:
                return None
        return (lo, hi) if lo < hi else None

    def distance(self, x: float, y: float) -> float:
        if self.circle is not None:
            cx, cy, r = self.circle
            return math.hypot(x - cx, y - cy) - r
        best = -math.inf
        for nx, ny, d in self.planes:
            value = nx * x + ny * y - d
            if value > best:
                best = value
        return best


def _pixel_range(span: tuple[float, float], width: int) -> tuple[int, int]:
    # Pixels whose centers (x + 0.5) lie inside the span, clipped to the row: [first, last).
    first = max(0, math.ceil(span[0] - 0.5))
    last = min(width, math.floor(span[1] - 0.5) + 1)
    return first, last


def _render(layers: list[_Layer], size: int) -> bytes:
    """Raw scanlines (filter byte + RGBA pixels) of the scene at ``size`` pixels square."""
    rasters = [(_Raster(layer.shape, size), layer.paint) for layer in layers]
    # The scene is mirror-symmetric about x = 1/2: draw the left half, mirror the pixels.
    half = (size + 1) // 2
    mirrored = size - half
    rows: list[bytes] = []
    transparent = bytes(4 * half)
    for row_index in range(size):
        y = row_index + 0.5
        t = y / size
        row = bytearray(transparent)
        for raster, paint in rasters:
            if y < raster.y_min - 1 or y > raster.y_max + 1:
                continue
            outer = raster.span(y, 0.5)
            if outer is None:
                continue
            first, last = _pixel_range(outer, half)
            if last <= first:
                continue
            top, bottom = paint.top, paint.bottom
            color = (
                round(top[0] + (bottom[0] - top[0]) * t),
                round(top[1] + (bottom[1] - top[1]) * t),
                round(top[2] + (bottom[2] - top[2]) * t),
                round(top[3] + (bottom[3] - top[3]) * t),
            )
            inner = raster.span(y, -0.5)
            solid_first = solid_last = first
            if inner is not None:
                solid_first, solid_last = _pixel_range(inner, half)
                solid_first, solid_last = max(solid_first, first), min(solid_last, last)
                if solid_last <= solid_first:
                    solid_first = solid_last = first
            if solid_last > solid_first:
                row[4 * solid_first : 4 * solid_last] = bytes(color) * (solid_last - solid_first)
            for x in (*range(first, solid_first), *range(solid_last, last)):
                coverage = 0.5 - raster.distance(x + 0.5, y)
                if coverage > 0:
                    _blend(row, 4 * x, color, coverage if coverage < 1 else 1.0)
        pixels = array("I", row)
        right = pixels[:mirrored]
        right.reverse()
        rows.append(b"\0" + row + right.tobytes())  # filter type 0 (None) on every scanline
    return b"".join(rows)


def _blend(row: bytearray, at: int, color: tuple[int, int, int, int], coverage: float) -> None:
    """Source-over compositing of ``color`` at ``coverage`` onto the pixel at ``row[at]``."""
    dst_alpha = row[at + 3]
    if dst_alpha == 255 and color[3] == 255:
        # The common case inside the badge: opaque on opaque is a plain interpolation.
        keep = 1.0 - coverage
        row[at] = int(color[0] * coverage + row[at] * keep + 0.5)
        row[at + 1] = int(color[1] * coverage + row[at + 1] * keep + 0.5)
        row[at + 2] = int(color[2] * coverage + row[at + 2] * keep + 0.5)
        return
    src_a = color[3] / 255 * coverage
    dst_a = dst_alpha / 255
    out_a = src_a + dst_a * (1 - src_a)
    if out_a <= 0:
        return
    keep = dst_a * (1 - src_a)
    for channel in range(3):
        value = (color[channel] * src_a + row[at + channel] * keep) / out_a
        row[at + channel] = min(255, int(value + 0.5))
    row[at + 3] = min(255, int(out_a * 255 + 0.5))


def _png_chunk(name: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(name + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + name + data + struct.pack(">I", crc)


@functools.lru_cache(maxsize=256)  # deterministic, and baked into every award of a class
def generated_png(name: str, level: str, *, size: int = 256) -> bytes:
    """A deterministic RGBA PNG emblem, ``size`` pixels square, for a badge name and level."""
    if not isinstance(size, int) or not _MIN_GENERATED_SIZE <= size <= _MAX_GENERATED_SIZE:
        raise ImageError(
            f"The image size must be {_MIN_GENERATED_SIZE} to {_MAX_GENERATED_SIZE} pixels"
        )
    raw = _render(_scene(name, level).layers, size)
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return (
        PNG_SIGNATURE
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(raw, 6))
        + _png_chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------- SVG output


def _hex(color: RGBA) -> str:
    return "#{:02x}{:02x}{:02x}".format(*color[:3])


def _xml_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _xml_safe(text: str) -> str:
    # Drop characters XML cannot carry (controls, lone surrogates) before escaping.
    return "".join(
        c
        for c in text
        if c in "\t\n\r" or ("\x20" <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd") or c > "\uffff"
    )


def initials(name: str) -> str:
    """Up to two initials from the badge name's words (letters and digits), or "?"."""
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", _xml_safe(name)))
    letters = "".join(word[0] for word in words[:2]).upper()
    return letters or "?"


def generated_svg(name: str, level: str) -> str:
    """The same emblem as :func:`generated_png`, as SVG, with the name's initials on the banner."""
    scene = _scene(name, level)
    s = _SVG_VIEW

    def num(value: float) -> str:
        return f"{value * s:.2f}".rstrip("0").rstrip(".")

    gradients: dict[_Paint, str] = {}
    defs: list[str] = []
    body: list[str] = []
    for layer in scene.layers:
        paint = layer.paint
        if paint.top == paint.bottom:
            fill = _hex(paint.top)
        else:
            if paint not in gradients:
                gradients[paint] = gid = f"g{len(gradients)}"
                # userSpaceOnUse over the whole image, like the PNG's per-row gradient.
                defs.append(
                    f'<linearGradient id="{gid}" gradientUnits="userSpaceOnUse" '
                    f'x1="0" y1="0" x2="0" y2="{s}">'
                    f'<stop offset="0" stop-color="{_hex(paint.top)}"/>'
                    f'<stop offset="1" stop-color="{_hex(paint.bottom)}"/></linearGradient>'
                )
            fill = f"url(#{gradients[paint]})"
        shape = layer.shape
        if isinstance(shape, _Circle):
            body.append(
                f'<circle cx="{num(shape.cx)}" cy="{num(shape.cy)}" r="{num(shape.r)}" '
                f'fill="{fill}"/>'
            )
        else:
            points = " ".join(f"{num(x)},{num(y)}" for x, y in shape.points)
            body.append(f'<polygon points="{points}" fill="{fill}"/>')
    label = _xml_escape(initials(name))
    title = _xml_escape(_xml_safe(name))
    text = (
        f'<text x="{num(scene.label_x)}" y="{num(scene.label_y)}" dy="0.35em" '
        f'text-anchor="middle" font-family="system-ui, -apple-system, Segoe UI, Roboto, '
        f'sans-serif" font-weight="700" font-size="{num(scene.label_height * 0.72)}" '
        f'fill="{_hex(scene.label_color)}">{label}</text>'
    )
    return (
        f'<svg xmlns="{_SVG_NAMESPACE}" width="{s}" height="{s}" viewBox="0 0 {s} {s}" '
        f'role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        f"<defs>{''.join(defs)}</defs>"
        f"{''.join(body)}{text}</svg>\n"
    )


# --------------------------------------------------------------------------- uploads

_DOCTYPE_OR_ENTITY = re.compile(rb"<!\s*(?:doctype|entity)", re.IGNORECASE)
_URL_REF = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_DATA_PNG = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=\s]*", re.IGNORECASE)
# CSS functions other than url() that fetch what they name.
_CSS_LOADERS = re.compile(r"(?:image-set|image|cross-fade|element|src)\s*\(", re.IGNORECASE)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", re.DOTALL)
_SCRIPT_ELEMENTS = {"script", "handler", "listener"}
_ANIMATIONS = {"set", "animate", "animatetransform", "animatemotion", "animatecolor"}
_XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"
_XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"


def _short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= 60 else value[:57] + "..."


def _check_reference(value: str) -> None:
    target = value.strip()
    if target.startswith("#") or _DATA_PNG.fullmatch(target):
        return
    raise ImageError(f"The SVG refers to an external resource ({_short(target)})")


def _css_unescape(value: str) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(2)
        code = int(match.group(1), 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"

    return _CSS_ESCAPE.sub(one, value)


def _check_urls(value: str) -> None:
    # Presentation attributes (fill, filter, cursor...) are CSS values, so escapes count there.
    for match in _URL_REF.finditer(_css_unescape(value)):
        _check_reference(match.group(2))


def _check_css(css: str) -> None:
    # Escapes could spell "url(" or "@import" in ways a browser reads and these checks miss.
    if "\\" in css:
        raise ImageError("The SVG's styles use CSS escapes, which are not allowed")
    if "@import" in css.lower():
        raise ImageError("The SVG's styles import an external stylesheet")
    if _CSS_LOADERS.search(css):
        raise ImageError("The SVG's styles use a CSS function that can load external resources")
    _check_urls(css)


def _check_png(data: bytes) -> bytes:
    if len(data) > MAX_PNG_UPLOAD_BYTES:
        raise ImageError("The PNG image is larger than 2 MiB")
    try:
        header = read_png_header(data, max_bytes=MAX_PNG_UPLOAD_BYTES)
    except BakingError as exc:
        raise ImageError(f"The PNG file is damaged or incomplete: {exc}") from None
    low, high = MIN_UPLOAD_DIMENSION, MAX_UPLOAD_DIMENSION
    if not (low <= header.width <= high and low <= header.height <= high):
        raise ImageError(
            f"The image must be between {low} and {high} pixels wide and high "
            f"(this one is {header.width}x{header.height})"
        )
    return data


def _check_svg(data: bytes) -> bytes:
    if len(data) > MAX_SVG_UPLOAD_BYTES:
        raise ImageError("The SVG image is larger than 512 KiB")
    text = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        raise ImageError("The SVG must be UTF-8 text") from None
    if _DOCTYPE_OR_ENTITY.search(data):
        raise ImageError("The SVG must not contain a DOCTYPE or entity declarations")

    depth = 0
    style_text: list[str] = []
    in_style = 0
    parser = expat.ParserCreate(encoding="UTF-8", namespace_separator=" ")

    def declaration(_version: str, encoding: str | None, _standalone: int) -> None:
        # A browser would honor a declared encoding; reading it as UTF-8 here could then
        # check a different document from the one that gets displayed.
        if encoding is not None and encoding.lower() not in ("utf-8", "utf8"):
            raise ImageError("The SVG must be UTF-8 encoded")

    def refuse_dtd(*_args: object) -> None:
        raise ImageError("The SVG must not contain a DOCTYPE or entity declarations")

    def refuse_pi(target: str, _data: str) -> None:
        raise ImageError(f"The SVG contains a processing instruction (<?{_short(target)}?>)")

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth, in_style
        namespace, _, local = name.rpartition(" ")
        lowered = local.lower()
        if depth == 0 and (local != "svg" or namespace not in ("", _SVG_NAMESPACE)):
            raise ImageError("The file is not an SVG image (its root element is not <svg>)")
        depth += 1
        if lowered in _SCRIPT_ELEMENTS:
            raise ImageError("The SVG contains a script")
        if lowered == "foreignobject":
            raise ImageError("The SVG contains a <foreignObject> element")
        if namespace == _XHTML_NAMESPACE:
            raise ImageError(f"The SVG contains an HTML element (<{_short(local)}>)")
        if lowered in _ANIMATIONS:
            target = attrs.get("attributeName", "").strip().lower()
            if target.endswith("href") or target.startswith("on"):
                raise ImageError("The SVG animates a link or an event attribute")
        if lowered == "style":
            in_style += 1
        for attr_name, value in attrs.items():
            attr_local = attr_name.rpartition(" ")[2]
            if attr_local.lower().startswith("on"):
                raise ImageError(f"The SVG contains an event handler attribute ({attr_local})")
            if attr_name == f"{_XML_NAMESPACE} base":
                # xml:base would make even "#fragment" references point elsewhere.
                raise ImageError("The SVG sets xml:base, which is not allowed")
            if attr_local.lower() == "href":
                _check_reference(value)
            if attr_local.lower() == "style":
                _check_css(value)
            else:
                _check_urls(value)

    def end(name: str) -> None:
        nonlocal depth, in_style
        depth -= 1
        if name.rpartition(" ")[2].lower() == "style":
            in_style -= 1
            _check_css("".join(style_text))
            style_text.clear()

    def chars(value: str) -> None:
        if in_style:
            style_text.append(value)

    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.XmlDeclHandler = declaration
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.ProcessingInstructionHandler = refuse_pi
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        where = f"line {exc.lineno}, column {exc.offset + 1}"
        raise ImageError(f"The SVG is not well-formed XML ({where})") from None
    return data


def _media_type(hint: str | None) -> str:
    if not isinstance(hint, str):
        return ""
    return hint.split(";", 1)[0].strip().lower()


def check_upload(data: bytes, content_type_hint: str | None) -> tuple[str, bytes]:
    """Validate an uploaded badge image; return its media type and the unchanged bytes.

    The type is decided by content, not by the hint (browsers guess it from the file name);
    the hint only makes the message for a broken file more precise.
    """
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise ImageError("The upload is not a file")
    if not data:
        raise ImageError("The image file is empty")
    hint = _media_type(content_type_hint)
    if data.startswith(PNG_SIGNATURE):
        return "image/png", _check_png(data)
    head = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if head.lstrip(b" \t\r\n").startswith(b"<") or hint == "image/svg+xml":
        return "image/svg+xml", _check_svg(data)
    if hint == "image/png":
        raise ImageError("The file is not a valid PNG image")
    raise ImageError("The image must be a PNG or SVG file")
