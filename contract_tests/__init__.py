"""The contract suite: judges any implementation of the SVX or Transmit API from the spec."""

from __future__ import annotations
