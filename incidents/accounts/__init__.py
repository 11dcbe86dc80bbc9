"""Accounts: signing in and out, the second factor, server-side sessions, re-authentication
before elevated access, and the users themselves. The package rule is in
`incidents/casework/__init__.py`."""
