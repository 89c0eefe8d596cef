"""Havre: the rules of humanitarian immigration to Québec, as code."""

from havre.api import Policy, load_policy

__all__ = ["Policy", "load_policy"]
