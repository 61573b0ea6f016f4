"""DHR Search: full-text search over UK Domestic Homicide Reviews."""

from __future__ import annotations


def create_app(test_config: dict | None = None):
    """The Flask app factory: defaults, then the environment, then test_config."""
    # Imported here, not at the top: `import search_service.corpus...` must not load Flask.
    from search_service.web.app import build_app

    return build_app(test_config)
