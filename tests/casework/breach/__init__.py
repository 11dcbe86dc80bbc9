"""Tests for casework/breach."""
