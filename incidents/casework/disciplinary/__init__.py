"""The disciplinary link: the process for each adult a case is about, its steps
(`lifecycle.DISCIPLINARY`), sanctions and measures, and their reviews."""
