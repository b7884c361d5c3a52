"""Ready-made views created beside the resources in `opendata query` (see schemas/ for their definitions)."""

from __future__ import annotations


def create_views(con) -> None:
    """Create the derived views; extended by the comparison layer (metrics, applications_wide)."""
    return None
