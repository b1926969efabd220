"""The families of named checks the suite runs, one module each (loaded by name in runner.py)."""
