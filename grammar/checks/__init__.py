"""The checks of a typed AST, in order (resolve, typecheck, safety, stratify), and the checked policy."""
