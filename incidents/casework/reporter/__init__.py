"""A sealed reporter identity (a staff disclosure): revealed only to the case manager."""
