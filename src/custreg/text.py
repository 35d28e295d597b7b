"""Text folding for case- and accent-insensitive matching (`Åström` = `astrom`)."""

import unicodedata

# Letters that Unicode does not decompose into a base letter and a mark.
_EXTRA = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ð": "d", "þ": "th", "ł": "l", "đ": "d"})


def fold(value: str) -> str:
    """Lower-case, strip accents and collapse white space."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.translate(_EXTRA).split())
