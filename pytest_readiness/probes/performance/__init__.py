"""Load, SLOs and technical metrics."""
