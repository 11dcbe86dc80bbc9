"""Tests for casework/evidence (issue 14)."""
