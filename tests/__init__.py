"""The test suite, a package: modules import helpers as ``tests.<area>.<module>`` (see README)."""
