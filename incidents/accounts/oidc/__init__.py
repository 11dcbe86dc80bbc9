"""Sign-in with the school's identity provider over OpenID Connect (issue 16, item 6)."""
