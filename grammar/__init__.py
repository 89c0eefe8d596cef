"""Policy text to checked AST: the Havre legal language."""
