"""The project's root conftest: where fixtures, markers and hooks shared by ``tests/`` and ``suites/`` go.

It has the role a team's root ``conftest.py`` has (``readiness init`` writes one): pytest loads it
before any suite, so a fixture or hook defined here is visible to every check and every test.  Target
fixtures come from the plugin (``pytest_readiness/fixtures/``), the service launcher's fixtures from
the opt-in plugin ``-p pytest_readiness.launcher.plugin`` (enabled for the tests in pyproject.toml's
``addopts``) and pytester likewise; nothing else is needed here yet.
"""
