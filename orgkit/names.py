"""When two names are the same name: the comparison behind `unique` rules (Transmit org names)."""

from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    """The form in which names are compared: equal keys mean the same name.

    Unicode compatibility forms (NFKC: composed and decomposed accents, fullwidth letters)
    and case (full case folding) are the same name; invisible format characters (zero-width
    space, joiners, BOM) are dropped; leading, trailing and repeated whitespace count as one
    space. The Transmit seed only implies that a name identifies one organization (see
    specs/README.md); these details are our inference.
    """
    text = unicodedata.normalize("NFKC", name)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = unicodedata.normalize("NFKC", text.casefold())
    return " ".join(text.split())
