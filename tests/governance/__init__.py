"""Tests for governance."""
