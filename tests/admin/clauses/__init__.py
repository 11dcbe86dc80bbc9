"""Tests for admin/clauses."""
