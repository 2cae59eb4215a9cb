"""Plain-Python rules of Common Ground. Nothing in this package imports Flask."""
