"""The typed AST: its nodes, places in files, conditions in normal form, fragments as text."""
