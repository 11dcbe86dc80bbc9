"""Services: the only code that changes persistent state."""
