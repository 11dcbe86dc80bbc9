"""The school administrator's pages and tools: the policy-clause catalogue, the audit trail's
status and verification, keys and schools. The package rule is in
`incidents/casework/__init__.py`."""
