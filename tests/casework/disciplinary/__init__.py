"""Tests for casework/disciplinary."""
