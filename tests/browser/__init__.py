"""Real-browser tests (a package, so its conftest does not shadow tests/conftest.py: the unit
tests import that one as `conftest`)."""
