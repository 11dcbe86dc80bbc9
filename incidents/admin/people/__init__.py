"""Admin: the school's own people (staff, governors, volunteers) in the browser (issue 16): add,
edit, mark a leaver, and import the staff list from the MIS's CSV with a preview first."""
