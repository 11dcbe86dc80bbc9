"""The personal data breach record (UK GDPR Art 33(5)) and the school's breach register."""
