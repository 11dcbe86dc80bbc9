"""Referrals to outside agencies (the LADO, police, children's social care, the ICO...) and
their lifecycle (`lifecycle.REFERRAL`)."""
