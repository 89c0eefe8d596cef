"""The pages of `havre serve`: a case's decision, the guided interview, signing in; their templates' environment."""
