"""Numbers and small words as the book prints them: percentages, signed differences, thousands, plurals, lists."""
from __future__ import annotations

import math


def pct(value: float, digits: int = 2) -> str:
    return "–" if value is None or math.isnan(value) else f"{100 * value:.{digits}f}"


def pm(mean: float, std: float, digits: int = 2) -> str:
    """'88.32 ± 0.15' (percent), joined by no-break spaces so that a narrow table column never
    splits it over lines."""
    return "–" if math.isnan(mean) else f"{pct(mean, digits)}\u00a0±\u00a0{pct(std, digits)}"


# ---- Phrases for generated prose: equal ranges, whole numbers, signs and plurals read as written.
MINUS = "\u2212"


def number(value: float, digits: int = 2) -> str:
    """'10' for a number that is whole at `digits` decimals ('10' or '5 000', never '10.0' or '−0'), else
    `digits` decimals; a true minus sign (U+2212) for negatives."""
    text = f"{value:.{digits}f}"
    if float(text).is_integer():
        return "0" if float(text) == 0 else thousands(float(text))
    return text.replace("-", MINUS)


def signed(value: float, digits: int = 2) -> str:
    """'+0.37' or '−0.37' (U+2212); zero as '0.00'."""
    text = f"{value:+.{digits}f}"
    return "0" + text[2:] if float(text) == 0 else text.replace("-", MINUS)


def above_below(points: float, digits: int = 2) -> str:
    """'1.59 points above', '0.91 points below', 'level with' (a difference in points, in words: a
    sign on a distance reads wrong in a sentence like 'lands −0.91 points from')."""
    if number(abs(points), digits) == "0":
        return "level with"
    return f"{number(abs(points), digits)} points {'above' if points > 0 else 'below'}"


def thousands(n: float) -> str:
    """'50 000', '7 850', '999', '−1 200': a whole number with a narrow no-break space (U+202F)
    between thousands, as the prose writes them (never a comma, and never split across lines);
    rounded if not whole."""
    return f"{n:,.0f}".replace(",", "\u202f").replace("-", MINUS)


def plural(n: float, word: str, many: str | None = None) -> str:
    """'1 run', '3 runs', '1 000 images' (thin space between thousands)."""
    shown = thousands(n) if float(n).is_integer() else f"{n:.1f}"
    return f"{shown} {word if n == 1 else (many or word + 's')}"


def span(low: float, high: float, unit: str = "", digits: int = 2) -> str:
    """'between 5 and 10 epochs', or 'exactly 5 epochs' when both ends are equal."""
    suffix = f" {unit}" if unit else ""
    if number(low, digits) == number(high, digits):
        return f"{number(low, digits)}{suffix}"
    return f"between {number(low, digits)} and {number(high, digits)}{suffix}"


def join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(dict.fromkeys(items))
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def slug(text: str) -> str:
    """A glue-name fragment from a reader's label: 'flip + rotation' -> 'flip_rotation'."""
    return "_".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def scientific(value: float, digits: int = 1) -> str:
    """'3.2 × 10⁻⁴⁵' (a true minus in the exponent, superscript digits); '0' for zero; plain
    `number` for values between 0.01 and 1000, where a power of ten does not help."""
    if value == 0 or 0.01 <= abs(value) < 1000:
        return number(value, digits)
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    power = str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{mantissa.replace('-', MINUS)} × 10{power}"
