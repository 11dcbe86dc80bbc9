"""The school's policy-clause catalogue: add, edit, retire and restore clauses."""
