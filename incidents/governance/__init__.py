"""Governors' and trust officers' statistics: the protected figures, their charts and exports.
The package rule is in `incidents/casework/__init__.py`."""
