"""Reading a policy's text: its files, the grammar and its parser (text -> typed AST), the canonical layout."""
