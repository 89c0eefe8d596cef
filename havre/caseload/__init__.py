"""Caseloads: deciding them in batch, generating cases, and the impact of a policy change on them."""
