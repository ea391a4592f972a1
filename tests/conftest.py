"""Project tests: pytester and the service launcher are enabled by ``addopts`` in pyproject.toml."""
