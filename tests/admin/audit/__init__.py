"""Tests for admin/audit."""
