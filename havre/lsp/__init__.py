"""The language server for policy files (`havre lsp`): diagnostics, navigation, completion, formatting, code lenses."""
