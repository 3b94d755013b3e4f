"""Documents and fonts: HTML to PDF with WeasyPrint, the Khmer font files, QR codes."""
