"""Documents a customer signs, as PDF: the supply scheme reply and the generated application form.

Pure ReportLab (no Flask, no storage): the server hands in plain dicts and gets bytes back;
``pdf.signing`` signs them with pyHanko and ``pdf.verify`` checks a signed file.
"""


class PdfError(Exception):
    """Base of this package's errors; ``errors`` maps the input field at fault to reasons."""

    def __init__(self, msg, errors=None):
        super().__init__(msg)
        self.errors = errors or {}
