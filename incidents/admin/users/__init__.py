"""Admin: the school's user accounts in the browser (issue 16): invite, change roles,
deactivate a leaver, reactivate, reset two-factor and resend an invitation."""
