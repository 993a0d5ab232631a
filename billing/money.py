"""Money rules (docs/billing.md, BILLING_CONVENTIONS §1): exact `Decimal` arithmetic, rounded
once per invoice line, half-up (ties away from zero), to the currency's minor unit.

The currency table is ISO 4217's list of active currencies with their minor units (the
exponent). Funds codes, precious metals and testing codes (XAU, XTS, XXX, ...) are not
billing currencies and are refused.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def _codes(text: str) -> list[str]:
    return text.split()


# ISO 4217 active currency codes and their minor units (number of decimal places).
MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(
        _codes(
            "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN "
            "BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS "
            "GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR "
            "LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD "
            "PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN "
            "SVC SYP SZL VED THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD XCG YER ZAR ZMW ZWG"
        ),
        2,
    ),
    **dict.fromkeys(_codes("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"), 0),
    **dict.fromkeys(_codes("BHD IQD JOD KWD LYD OMR TND"), 3),
    "CLF": 4,
    "UYW": 4,
}

ZERO = Decimal(0)


def is_currency(code: str) -> bool:
    """True for an active ISO 4217 currency code (upper case, three letters)."""
    return code in MINOR_UNITS


def minor_unit(currency: str) -> int:
    """Decimal places of `currency` (USD 2, JPY 0, KWD 3). KeyError for unknown codes."""
    return MINOR_UNITS[currency]


def quantum(currency: str) -> Decimal:
    """The smallest amount of `currency`: Decimal('0.01') for USD, Decimal('1') for JPY."""
    return Decimal(1).scaleb(-minor_unit(currency))


def round_money(value: Decimal | Fraction, currency: str) -> Decimal:
    """Round an exact amount once, half-up (ties away from zero), to the minor unit.

    Accepts a `Fraction` so that quantity × price × days / days-in-period is computed exactly
    and rounded only here (a Decimal division would round at the context's precision first).
    """
    if isinstance(value, Fraction):
        q = quantum(currency)
        # Exact half-up on a rational: scale to minor units, round away from zero at .5.
        scaled = value / Fraction(q)
        sign = -1 if scaled < 0 else 1
        units = (abs(scaled.numerator) * 2 + scaled.denominator) // (2 * scaled.denominator)
        return (Decimal(sign * units) * q).quantize(q)
    return value.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def line_amount(
    quantity: Decimal, unit_price: Decimal, numerator: int, denominator: int, currency: str
) -> Decimal:
    """One invoice line's amount: quantity × unit price × numerator / denominator, exact,
    then rounded once (the numerator/denominator carry proration days or minutes per hour)."""
    exact = Fraction(quantity) * Fraction(unit_price) * Fraction(numerator, denominator)
    return round_money(exact, currency)


def format_money(amount: Decimal, currency: str) -> str:
    """`1,234.50 USD`: the amount at the currency's minor unit, with thousands separators."""
    places = minor_unit(currency) if currency in MINOR_UNITS else 2
    return f"{amount:,.{places}f} {currency}"
