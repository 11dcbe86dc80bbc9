"""Cases: reporting a concern, recording a disclosure, the case list and the case page, its
chronology (notes and corrections) and history, and the one-button workflow steps."""
