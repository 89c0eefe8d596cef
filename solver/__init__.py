"""Checked AST -> ASP -> answers, with clingo; one folder per stage, in the order data flows:
cases (case files), compile (the ASP program), solve (decisions), analysis (questions about the policy)."""
