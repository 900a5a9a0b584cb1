"""The web application: an HTTP API and pages over the store (``recoupe serve``)."""

from .app import create_app

__all__ = ["create_app"]
