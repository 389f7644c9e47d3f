"""Listeners split by kind; each module wires itself with `register(app)`."""
