"""Signature strokes (docs/SYNC_PROTOCOL.md "Signature strokes"): checked before they go into a PDF."""
import json

from pdf import PdfError

MIN_POINTS = 10


class InvalidStrokes(PdfError):
    """Empty, too few points, out of the canvas, or not the strokes format."""


def parse_strokes(raw: bytes) -> dict:
    try:
        data = json.loads(raw)
        width, height = float(data["canvas"]["width"]), float(data["canvas"]["height"])
        strokes = [[(float(p["x"]), float(p["y"]), float(p.get("pressure", 0.5))) for p in stroke]
                   for stroke in data["strokes"]]
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidStrokes(f"not signature strokes JSON: {exc!r}", {"signature_blob": ["not strokes JSON"]}) from None
    problems = []
    if width <= 0 or height <= 0:
        problems.append("the canvas needs a positive width and height")
    if not strokes or not any(strokes):
        problems.append("no stroke: the signature is empty")
    if sum(len(s) for s in strokes) < MIN_POINTS:
        problems.append(f"fewer than {MIN_POINTS} points in all")
    if any(not (0 <= x <= width and 0 <= y <= height) for stroke in strokes for x, y, _ in stroke):
        problems.append("a point lies outside the canvas")
    if problems:
        raise InvalidStrokes("the signature strokes are not valid: " + "; ".join(problems),
                             {"signature_blob": problems})
    return {"width": width, "height": height, "strokes": strokes}
