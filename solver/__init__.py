"""Checked AST -> ASP -> answers, with clingo."""
