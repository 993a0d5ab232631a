"""Formatting helpers for the plain-English explanations of SLA clocks.

Figures shown to people are floored whole minutes (convention 4): 29 min 59 s reads "0 h 29 min".
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

__all__ = ["format_business_duration", "format_instant", "whole_minutes"]


def whole_minutes(seconds: int) -> int:
    """Floored whole minutes of a number of seconds (``None`` is handled by the callers)."""
    return seconds // 60


def format_business_duration(seconds: int) -> str:
    """``"8 h 05 min"`` for 29,100 s; minutes are floored, never rounded."""
    minutes = whole_minutes(seconds)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_instant(instant: datetime, timezone: ZoneInfo) -> str:
    """``"Fri 2025-03-07 17:00:00 GMT"``: the instant in the calendar's local time, to the second."""
    return instant.astimezone(timezone).strftime("%a %Y-%m-%d %H:%M:%S %Z")
