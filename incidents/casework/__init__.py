"""Case work: one package per step of the statutory route a user would name (cases, triage,
referrals, tasks, police, outcome, disciplinary, suspension, breach, reporter, erasure).

The rule, for every feature package in `incidents/`:
- `commands.py` holds the public entry points. Each takes `session` and `actor`, checks
  permission (`permissions`) and the state machine (`workflow` for the case, `lifecycle` for
  the rest), changes state, writes its audit entry in the same transaction, and never commits.
- `queries.py` reads; `forms.py` checks shape (its limits are the commands' constants);
  `views.py` goes through the page pipeline (`web/pipeline.py`): load, refuse, validate, one
  command, commit once, back with a message.
- Views import their own package, the page kit (`web/`, `casework/page.py`) and the core; never
  another feature's modules. `system.py` and `_`-named modules are internal: steps taken as the
  consequence of another command, which check nothing; commands of this group may call them,
  views never do. The core (models, workflow, lifecycle, permissions, crypto, audit, stats)
  imports no feature package. `tests/test_layout.py` holds every rule here to account."""
