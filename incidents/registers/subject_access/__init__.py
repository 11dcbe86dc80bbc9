"""The subject access register: requests, their deadlines and their lifecycle
(`lifecycle.SUBJECT_ACCESS`)."""
