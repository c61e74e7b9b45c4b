"""A page writer over a ReportLab canvas: a cursor running down A4, wrapped Chinese text, rows."""
import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from pdf.fonts import FONT_NAME
from pdf.linebreak import break_lines

MARGIN = 18 * mm
WIDTH, HEIGHT = A4
BODY, SMALL, TITLE = 10, 8, 16


class Writer:
    """Top-down writing with page breaks; ``lines_written`` keeps every text line for tests."""

    def __init__(self, title: str, footer: str):
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4, invariant=1, pageCompression=1)
        self.canvas.setTitle(title)
        self.canvas.setAuthor("yekuo")
        self.footer, self.page = footer, 1
        self.y = HEIGHT - MARGIN
        self.lines_written = []

    def measure(self, size):
        return lambda text: stringWidth(text, FONT_NAME, size)

    def room(self, height):
        if self.y - height < MARGIN + 10 * mm:
            self.new_page()

    def new_page(self):
        self.draw_footer()
        self.canvas.showPage()
        self.page += 1
        self.y = HEIGHT - MARGIN

    def draw_footer(self):
        self.canvas.setFont(FONT_NAME, SMALL)
        self.canvas.drawString(MARGIN, MARGIN - 4 * mm, f"{self.footer}  第 {self.page} 页")

    def title(self, text):
        self.canvas.setFont(FONT_NAME, TITLE)
        self.canvas.drawCentredString(WIDTH / 2, self.y - TITLE, text)
        self.lines_written.append(text)
        self.y -= TITLE + 6 * mm

    def heading(self, text, keep=0.0):
        """A section heading; ``keep``: the height of what must follow it on the same page (a drawing)."""
        self.room(12 * mm + keep)
        self.canvas.setFont(FONT_NAME, BODY + 2)
        self.canvas.drawString(MARGIN, self.y - BODY - 2, text)
        self.lines_written.append(text)
        self.canvas.setLineWidth(0.4)
        self.canvas.line(MARGIN, self.y - BODY - 5, WIDTH - MARGIN, self.y - BODY - 5)
        self.y -= BODY + 10

    def paragraph(self, text, size=BODY, indent=0.0):
        width = WIDTH - 2 * MARGIN - indent
        for line in break_lines(text, width, self.measure(size)):
            self.room(size + 4)
            self.canvas.setFont(FONT_NAME, size)
            self.canvas.drawString(MARGIN + indent, self.y - size, line)
            self.lines_written.append(line)
            self.y -= size + 4

    def rows(self, pairs, label_width=38 * mm, size=BODY):
        """Label / value rows; long values wrap under their own column."""
        width = WIDTH - 2 * MARGIN - label_width
        for label, value in pairs:
            lines = break_lines(str(value), width, self.measure(size))
            self.room((size + 4) * len(lines))
            self.canvas.setFont(FONT_NAME, size)
            self.canvas.drawString(MARGIN, self.y - size, label)
            self.lines_written.append(label)
            for line in lines:
                self.canvas.drawString(MARGIN + label_width, self.y - size, line)
                self.lines_written.append(line)
                self.y -= size + 4

    def space(self, height):
        self.y -= height

    def finish(self) -> bytes:
        self.draw_footer()
        self.canvas.save()
        return self.buffer.getvalue()
