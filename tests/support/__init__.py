"""Shared helpers of the project's own tests: fakes, data builders, run helpers and the local HTTP server.

Import as ``from tests.support import <module>`` or ``from tests.support.<module> import <name>``;
``conftest.py`` files keep only fixtures and test modules never import from each other.
"""
