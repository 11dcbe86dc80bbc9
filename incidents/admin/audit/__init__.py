"""The audit trail's status for the administrator, and verifying the whole log."""
