"""Crypto-shredding a case at the end of its retention period."""
