"""The connection sketch, drawn as vectors: customer, connection point, route, nearby assets,
scale bar and north arrow. Positions are turned into metres east and north of the customer
(geodesic distance and bearing) before they are scaled onto the page."""
import math

from pyproj import Geod
from reportlab.lib import colors

from pdf.fonts import FONT_NAME

NICE_LENGTHS_M = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000)


GEOD = Geod(ellps="WGS84")


def projector(lon0, lat0):
    """Metres east and north of (lon0, lat0) along the geodesic: distance and bearing from the
    customer are exact (an azimuthal equidistant view), with no projection built per sketch."""
    def to_metres(point):
        azimuth, _, distance = GEOD.inv(lon0, lat0, point["lon"], point["lat"])
        return distance * math.sin(math.radians(azimuth)), distance * math.cos(math.radians(azimuth))
    return to_metres


def sketch_layout(customer: dict, options: list, width, height) -> tuple[float, list]:
    """(units per metre, [customer, each option's connection point]) in a width × height box with
    the origin at its lower left and y up; the customer sits in the middle."""
    to_metres = projector(customer["lon"], customer["lat"])
    metres = [(0.0, 0.0)] + [to_metres(o["connection"]["point"]) for o in options]
    span = max(max(abs(x), abs(y)) for x, y in metres) * 2.4 or 100.0
    scale = min(width, height) / span
    return scale, [(width / 2 + x * scale, height / 2 + y * scale) for x, y in metres]


def scale_bar_m(scale, max_width) -> int:
    """The longest round length whose bar fits in ``max_width``."""
    return max((m for m in NICE_LENGTHS_M if m * scale <= max_width), default=NICE_LENGTHS_M[0])


def draw_sketch(canvas, box, customer: dict, options: list):
    """``box`` = (x, y, width, height) in points; ``options`` as in the scheme (chosen first)."""
    x0, y0, width, height = box
    scale, points = sketch_layout(customer, options, width, height)
    page = [(x0 + x, y0 + y) for x, y in points]
    canvas.saveState()
    canvas.setStrokeColor(colors.grey)
    canvas.rect(x0, y0, width, height)
    for rank, (option, xy) in enumerate(zip(options, page[1:]), start=1):
        draw_route(canvas, page[0], xy, chosen=rank == 1)
        draw_asset(canvas, xy, f"{option['rank']}. {option['connection']['asset_id']}", chosen=rank == 1)
    draw_customer(canvas, page[0])
    draw_scale_bar(canvas, x0 + 8, y0 + 8, scale, width / 3)
    draw_north_arrow(canvas, x0 + width - 16, y0 + height - 30)
    canvas.restoreState()


def draw_route(canvas, start, end, chosen):
    canvas.setStrokeColor(colors.black if chosen else colors.grey)
    canvas.setLineWidth(1.2 if chosen else 0.5)
    canvas.setDash([] if chosen else [3, 2])
    canvas.line(*start, *end)
    canvas.setDash([])


def draw_asset(canvas, xy, label, chosen):
    canvas.setFillColor(colors.black if chosen else colors.grey)
    canvas.rect(xy[0] - 3, xy[1] - 3, 6, 6, fill=1, stroke=0)
    canvas.setFont(FONT_NAME, 7)
    canvas.drawString(xy[0] + 5, xy[1] + 3, label)


def draw_customer(canvas, xy):
    canvas.setFillColor(colors.white)
    canvas.setStrokeColor(colors.black)
    canvas.circle(xy[0], xy[1], 4, fill=1, stroke=1)
    canvas.setFillColor(colors.black)
    canvas.setFont(FONT_NAME, 7)
    canvas.drawString(xy[0] + 6, xy[1] - 9, "客户")


def draw_scale_bar(canvas, x, y, scale, max_width):
    length = scale_bar_m(scale, max_width)
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(1)
    canvas.line(x, y, x + length * scale, y)
    for tick in (x, x + length * scale):
        canvas.line(tick, y, tick, y + 4)
    canvas.setFont(FONT_NAME, 7)
    canvas.drawString(x, y + 6, f"{length} m" if length < 1000 else f"{length / 1000:g} km")


def draw_north_arrow(canvas, x, y):
    path = canvas.beginPath()
    path.moveTo(x, y + 18)
    path.lineTo(x - 5, y)
    path.lineTo(x, y + 5)
    path.lineTo(x + 5, y)
    path.close()
    canvas.setFillColor(colors.black)
    canvas.drawPath(path, fill=1, stroke=0)
    canvas.setFont(FONT_NAME, 8)
    canvas.drawCentredString(x, y + 21, "北")
