"""Adversarial tests: what an insider with database access can do to the audit trail."""
