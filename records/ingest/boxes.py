"""Text that lies under a drawn dark box: a "redaction" that hid nothing.

A cheap heuristic over the content stream, computed during the same
extract_text pass: dark filled rectangles (`re` then a fill, in a dark gray,
RGB or CMYK colour) against the positions of the text runs. Light table
shading, page-sized backgrounds and hairlines are ignored. It reports
overlap, not intent: white text on a black banner would also count.
"""

from dataclasses import dataclass, field

_FILLS = {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}
_DARK = 0.35  # gray level at or below which a fill hides black text


@dataclass
class BoxFinder:
    """Pass `before` and `text` to page.extract_text as visitors, then ask `text_under_box()`."""

    page_area: float
    _fill_dark: bool = False
    _path: list = field(default_factory=list)
    _boxes: list = field(default_factory=list)
    _runs: list = field(default_factory=list)

    def before(self, operator: bytes, operands: list, cm: list, tm: list) -> None:
        if operator == b"re" and len(operands) == 4:
            self._path.append(_to_device(operands, cm))
        elif operator in _FILLS:
            if self._fill_dark:
                self._boxes.extend(box for box in self._path if self._plausible(box))
            self._path = []
        elif operator in (b"n", b"S", b"s", b"W", b"W*"):
            if operator in (b"n", b"S", b"s"):
                self._path = []
        elif operator in (b"g", b"rg", b"k", b"sc", b"scn"):
            self._fill_dark = _is_dark(operands)

    def text(self, text: str, cm: list, tm: list, font_dict, font_size: float) -> None:
        if not text.strip():
            return
        # Where the run starts and how big it is, in device space.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[0] * cm[0]) or abs(tm[1] * cm[1]) or 1.0
        size = (font_size or 1.0) * scale
        width = len(text.strip()) * size * 0.5
        self._runs.append((x, y, width, size))

    def text_under_box(self) -> bool:
        return bool(self.boxes_over_text())

    def boxes_over_text(self) -> list[tuple[float, float, float, float]]:
        """The boxes (left, bottom, right, top in page space) that lie over some text run."""
        covering = []
        for box in self._boxes:
            left, bottom, right, top = box
            for x, y, width, size in self._runs:
                # The middle of the run's x-height, a little in from its start.
                probe_y = y + size * 0.3
                if bottom <= probe_y <= top and left < x + width and x < right:
                    covering.append(box)
                    break
        return covering

    def _plausible(self, box) -> bool:
        left, bottom, right, top = box
        width, height = right - left, top - bottom
        # Hairlines and underlines are rules; page-sized fills are backgrounds.
        return width >= 4 and height >= 4 and width * height < 0.5 * self.page_area


def _to_device(operands, cm) -> tuple[float, float, float, float]:
    x, y, w, h = (float(value) for value in operands)
    corners = [(x, y), (x + w, y), (x, y + h), (x + w, y + h)]
    xs = [cx * cm[0] + cy * cm[2] + cm[4] for cx, cy in corners]
    ys = [cx * cm[1] + cy * cm[3] + cm[5] for cx, cy in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _is_dark(operands) -> bool:
    try:
        values = [float(value) for value in operands]
    except (TypeError, ValueError):
        return False  # a pattern or named colour: we cannot tell
    if len(values) in (1, 3):
        return max(values) <= _DARK
    if len(values) == 4:  # CMYK: dark when the black ink (or all inks) are heavy
        cyan, magenta, yellow, black = values
        return black >= 1 - _DARK or min(cyan, magenta, yellow) >= 1 - _DARK
    return False
