"""The stateful mock server: one spec-driven engine served by Connexion (see README)."""

from __future__ import annotations
