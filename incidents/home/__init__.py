"""The home page: what each role can do, and what is due today or overdue for this user.
The package rule is in `incidents/casework/__init__.py`."""
