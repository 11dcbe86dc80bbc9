"""Police holds: while the police investigate, the school's own investigation waits."""
