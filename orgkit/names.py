"""When two names are the same name: the comparison behind `unique` rules (Transmit org names)."""

from __future__ import annotations

import re
import unicodedata

# Format characters nobody sees: soft hyphen, Arabic letter mark, Mongolian vowel separator,
# zero-width space/joiners and direction marks, bidi embeddings and isolates, word joiner and
# invisible operators, BOM.
INVISIBLE = (r"\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
             r"\u2060-\u2064\u2066-\u206f\ufeff")
# A name needs one character that is neither whitespace nor invisible; the same pattern is on
# the name properties of specs/transmit-organizations.yaml (marked inferred).
VISIBLE_PATTERN = rf"[^\s{INVISIBLE}]"
_INVISIBLE = re.compile(f"[{INVISIBLE}]")


def name_key(name: str) -> str:
    """The form in which names are compared: equal keys mean the same name ("" for none).

    Unicode compatibility forms (NFKC: composed and decomposed accents, fullwidth letters)
    and case (full case folding) are the same name; invisible format characters are dropped;
    leading, trailing and repeated whitespace count as one space. The Transmit seed only
    implies that a name identifies one organization (see specs/README.md); these details are
    our inference.
    """
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", name))
    text = unicodedata.normalize("NFKC", text.casefold())
    return " ".join(text.split())
