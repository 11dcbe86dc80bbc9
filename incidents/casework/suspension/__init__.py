"""Suspension decisions (KCSIE Part 4), their written confirmation and their end
(`lifecycle.SUSPENSION`)."""
