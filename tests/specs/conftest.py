"""Put this folder on ``sys.path``: the tests import ``seed_parsers``/``spec_compare`` by name.

The suite runs with ``--import-mode=importlib`` and ``tests/`` has no ``__init__.py``, so
sibling modules are not importable otherwise; conftest.py is loaded before the test modules.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
