"""Text folding for case- and accent-insensitive matching (`Åström` = `astrom`)."""

import unicodedata


class _Marks(dict[int, int | str | None]):
    """`str.translate`'s table: combining marks go, the letters below become their base
    letters, every other character stays. Filled as characters are met (the Basic Multilingual
    Plane's at most: a bounded table); one translate replaces a per-character loop in Python."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        if code <= 0xFFFF:
            self[code] = kept
        return kept


# Letters that Unicode does not decompose into a base letter and a mark.
_TABLE = _Marks(
    {ord(k): v for k, v in {"ø": "o", "æ": "ae", "œ": "oe", "ð": "d", "þ": "th", "ł": "l", "đ": "d"}.items()}
)


def fold(value: str) -> str:
    """Lower-case, strip accents and collapse white space."""
    if value.isascii():  # no accents, nothing to decompose: casefold is lower
        return " ".join(value.lower().split())
    return " ".join(unicodedata.normalize("NFKD", value.casefold()).translate(_TABLE).split())
