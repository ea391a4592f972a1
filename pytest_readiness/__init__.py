"""pytest-readiness: a production readiness checklist as an executable, evidence-backed verdict."""

__version__ = "0.1.0"
