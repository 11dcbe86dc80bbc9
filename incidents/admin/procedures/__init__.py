"""The school's own procedures where the seed policies differ (issue 13, per-school settings)."""
