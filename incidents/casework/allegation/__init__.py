"""The KCSIE Part 4 steps recorded beside an allegation (issue 13, what is missing)."""
