# pyHanko reads PDF hex strings (every signature's /Contents) one byte at a time; egov.signing
# replaces that reader with an equivalent bulk one (see pdfspeed.py).
from .pdfspeed import install as _install_pdf_speedups

_install_pdf_speedups()
