"""Tests for audit."""
