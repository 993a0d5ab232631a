"""The invoice as a PDF (fpdf2: pure Python, installed by pip alone — docs/billing.md).

Text is set in DejaVu Sans, shipped in `billing/fonts/` (free licence beside it) and embedded
as a subset, so names in any European script (Łódź, Ελλάδα, Москва) print as written — no
system font is needed.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

from fontTools import subset, ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

from billing.models import Invoice, InvoiceLine, InvoiceStatus
from billing.money import format_money

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"


FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

# What invoices print: Latin (with extensions and combining marks), Greek, Cyrillic, Armenian,
# Georgian, punctuation, currency, letter-like and number forms, arrows, maths operators.
# DejaVu's other scripts and symbol sets (Arabic, Hebrew, box drawing, Braille, dingbats, …)
# are left out of the embedded font: fpdf2 re-reads the whole font for every document's subset,
# so each glyph kept costs time in every PDF.
UNICODE_RANGES = (
    (0x0020, 0x058F),
    (0x10A0, 0x10FF),
    (0x1D00, 0x1FFF),
    (0x2000, 0x22FF),
    (0x2C60, 0x2C7F),
    (0x2DE0, 0x2DFF),
    (0xA640, 0xA69F),
    (0xA720, 0xA7FF),
    (0xFB00, 0xFB06),
    (0xFFFD, 0xFFFD),
)

# Built and parsed once per process (building ~0.5 s, then ~40–70 ms of CPU saved per font per
# document). Only fpdf2's read-only parse (character map, widths, descriptor) is shared; each
# document gets its own fontTools font — fpdf2 subsets it in place when writing — and its own
# subset map, so a PDF embeds only the glyphs it uses.
_FONT_BYTES: dict[str, bytes] = {}
_PARSED: dict[str, TTFFont] = {}


def _embeddable(path: Path) -> bytes:
    """The font cut to `UNICODE_RANGES`, without tables PDF viewers ignore (layout, kerning)."""
    font = ttLib.TTFont(str(path), recalcTimestamp=False)
    options = subset.Options(
        notdef_outline=True, recommended_glyphs=True, layout_features=[], name_IDs=["*"], glyph_names=True
    )
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "hdmx", "FFTM", "meta", "MATH", "LTSH"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for low, high in UNICODE_RANGES for c in range(low, high + 1)])
    subsetter.subset(font)
    out = BytesIO()
    font.save(out)
    return out.getvalue()


def _register_font(pdf: FPDF, style: str) -> None:
    fontkey = f"{FONT.lower()}{style}"
    if style not in _PARSED:
        _FONT_BYTES[style] = _embeddable(FONTS / FONT_FILES[style])
        template = TTFFont(pdf, BytesIO(_FONT_BYTES[style]), fontkey, style)  # type: ignore[arg-type]
        template.ttfont = None
        _PARSED[style] = template
    parsed = _PARSED[style]
    font = copy.copy(parsed)
    font.i = len(pdf.fonts) + 1
    font.ttfont = ttLib.TTFont(BytesIO(_FONT_BYTES[style]), recalcTimestamp=False, lazy=True)
    font.cw = copy.copy(parsed.cw)  # a defaultdict: reading an unknown character inserts it
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.subset = SubsetMap(font)
    pdf.fonts[fontkey] = font


def new_document() -> FPDF:
    """An A4 document with the invoice font registered."""
    pdf = FPDF(format="A4")
    for style in FONT_FILES:
        _register_font(pdf, style)
    return pdf


def _money(amount: Decimal, currency: str) -> str:
    return format_money(amount, currency)


def _quantity(line: InvoiceLine) -> str:
    quantity = line.quantity.normalize()
    text = f"{quantity:f}"
    if line.unit == "minute":
        return f"{text} min"
    return text


def render_invoice(invoice: Invoice, lines: list[InvoiceLine] | None = None) -> bytes:
    """The invoice document, with the MSP's details, the client's, every line with its
    quantity and service dates, credits, tax, payments and the balance."""
    lines = lines if lines is not None else list(invoice.lines.all())  # type: ignore[attr-defined]
    currency = invoice.currency
    seller = invoice.seller_details or {}
    buyer = invoice.buyer_details or {}
    pdf = new_document()
    pdf.set_title(f"Invoice {invoice.number_display or 'draft'}")
    pdf.set_author(seller.get("name", ""))
    pdf.set_creation_date(invoice.issued_at or invoice.created_at)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    title = "Invoice " + (invoice.number_display or "(draft)")
    pdf.cell(0, 9, (title), new_x="LMARGIN", new_y="NEXT")
    if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        pdf.set_text_color(180, 0, 0)
        pdf.set_font(FONT, "B", 11)
        pdf.cell(0, 6, "DRAFT - NOT A VALID INVOICE" if invoice.status == InvoiceStatus.DRAFT else "VOID")
        pdf.ln(6)
        pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, "", 9)
    y = pdf.get_y() + 2
    _block(
        pdf,
        10,
        y,
        "From",
        [seller.get("name", ""), seller.get("address", ""), _tax(seller), seller.get("email", "")],
    )
    _block(
        pdf,
        110,
        y,
        "Bill to",
        [
            buyer.get("name", ""),
            buyer.get("address", ""),
            _tax(buyer),
            buyer.get("contact", ""),
            buyer.get("email", ""),
        ],
    )
    pdf.set_xy(10, max(pdf.get_y(), y + 30) + 4)
    facts = []
    if invoice.issued_on:
        facts.append(f"Issued {invoice.issued_on:%d %b %Y}")
    if invoice.due_on:
        facts.append(f"Due {invoice.due_on:%d %b %Y}")
    if invoice.period_start and invoice.period_end:
        facts.append(
            f"Period {invoice.period_start:%d %b %Y} - {invoice.period_end:%d %b %Y} (end exclusive)"
        )
    facts.append(f"Currency {currency}")
    pdf.cell(0, 5, ("   |   ".join(facts)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = (88, 36, 20, 22, 24)
    pdf.set_font(FONT, "B", 9)
    pdf.set_fill_color(235, 235, 235)
    for width, head, align in zip(
        widths, ("Description", "Service dates", "Qty", "Unit price", "Amount"), "LLRRR", strict=True
    ):
        pdf.cell(width, 6, head, border="B", align=align, fill=True)
    pdf.ln(6)
    pdf.set_font(FONT, "", 8.5)
    for line in lines:
        dates = ""
        if line.service_start and line.service_end:
            last = date.fromordinal(line.service_end.toordinal() - 1)
            dates = f"{line.service_start:%d %b} - {last:%d %b %Y}"
        elif line.service_start:
            dates = f"{line.service_start:%d %b %Y}"
        unit_price = "" if line.kind == "sla_credit" else _money(line.unit_price, currency)
        if line.unit == "minute":
            unit_price += "/h"
        height = _lines_height(pdf, widths[0], line.description)
        if pdf.get_y() + height > pdf.h - 20:
            pdf.add_page()
        start_y = pdf.get_y()
        pdf.multi_cell(widths[0], 4.5, (line.description))
        pdf.set_xy(10 + widths[0], start_y)
        pdf.cell(widths[1], 4.5, (dates))
        pdf.cell(widths[2], 4.5, (_quantity(line)), align="R")
        pdf.cell(widths[3], 4.5, (unit_price), align="R")
        pdf.cell(widths[4], 4.5, (_money(line.amount, currency)), align="R")
        pdf.set_xy(10, start_y + height)
    pdf.ln(2)
    pdf.set_font(FONT, "", 9)
    rows = [("Charges", invoice.subtotal)]
    if invoice.credit_total:
        rows.append(("SLA credits", invoice.credit_total))
    rows.append((f"{_tax_label(invoice)} {invoice.tax_rate.normalize():f} %", invoice.tax_amount))
    rows.append(("Total", invoice.total))
    if invoice.amount_credited:
        rows.append(("Credit notes", -invoice.amount_credited))
    if invoice.amount_paid:
        rows.append(("Paid", -invoice.amount_paid))
    if invoice.status not in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        rows.append(("Balance due", invoice.balance))
    for label, amount in rows:
        bold = label in ("Total", "Balance due")
        pdf.set_font(FONT, "B" if bold else "", 9)
        pdf.cell(sum(widths[:4]), 5.5, (label), align="R")
        pdf.cell(widths[4], 5.5, (_money(amount, currency)), align="R", new_x="LMARGIN", new_y="NEXT")
    bank = seller.get("bank_details", "")
    if bank:
        pdf.ln(4)
        pdf.set_font(FONT, "B", 9)
        pdf.cell(0, 5, "Payment details", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(0, 4.5, (f"{bank}\nReference: {invoice.number_display or '-'}"))
    return bytes(pdf.output())


def _lines_height(pdf: FPDF, width: float, text: str) -> float:
    rows: Any = pdf.multi_cell(width, 4.5, (text), dry_run=True, output="LINES")
    return 4.5 * max(len(rows), 1)


def _tax(party: dict[str, str]) -> str:
    return f"Tax ID {party['tax_id']}" if party.get("tax_id") else ""


def _tax_label(invoice: Invoice) -> str:
    return str((invoice.buyer_details or {}).get("tax_label") or "Tax")


def _block(pdf: FPDF, x: float, y: float, heading: str, rows: list[str]) -> None:
    pdf.set_xy(x, y)
    pdf.set_font(FONT, "B", 9)
    pdf.cell(90, 5, heading, new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    text = "\n".join(row for row in rows if row)
    pdf.multi_cell(90, 4.5, (text or "-"), new_x="LEFT", new_y="NEXT")
