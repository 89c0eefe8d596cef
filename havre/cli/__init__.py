"""The `havre` command line: one module per group of commands, `main` holding the rest."""
