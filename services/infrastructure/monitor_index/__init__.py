"""The public index of every client's monitors (see models)."""
