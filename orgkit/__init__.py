"""orgkit: the pure model of the SVX and Transmit organisation APIs (no web or test framework)."""

from __future__ import annotations

__version__ = "0.1.0"
