"""Nothing to register: this app has no models of its own (see models.py)."""
