"""`havre serve`: reviewers' pages, guided interviews and the REST API, over one loaded policy."""
