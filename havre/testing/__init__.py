"""Scenario files, the coverage they give a policy, and the pytest plugin that runs them."""
