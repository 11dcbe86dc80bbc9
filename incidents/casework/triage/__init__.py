"""Triage: the harm-threshold test and the track a case takes."""
