"""Tests for stats."""
