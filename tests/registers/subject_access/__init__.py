"""Tests for registers/subject_access."""
