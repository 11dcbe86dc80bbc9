"""Registers the school keeps beside its cases: subject access requests (UK GDPR Art 15).
The package rule is in `incidents/casework/__init__.py`."""
