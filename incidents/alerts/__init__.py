"""Alerts, reminders and scheduled jobs (issue 15): who is told what and when (`system.py`,
called by one line from the commands whose events need someone), the in-app inbox
(`queries.py`), each user's delivery preference (`commands.py`, `views.py`), the email outbox
that carries alerts with no personal data (`messages.py`, `outbox.py`, `transport.py`), the
statutory-clock reminders and daily digests (`clocks.py`, `digest.py`) and `incidents jobs run`
(`jobs.py`). The package rule is in `incidents/casework/__init__.py`."""
