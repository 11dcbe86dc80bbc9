"""The end of a case: its outcome, then closure through the closure checklist."""
