"""Envelope encryption of personal data: master keys outside the database, a random data key per
case (and per school), AES-256-GCM fields bound to their place, rotation and crypto-shredding."""
