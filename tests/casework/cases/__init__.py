"""Tests for casework/cases."""
