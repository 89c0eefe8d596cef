"""Views: plain data with every sentence in one language, for a verdict, a case, the sources it cites and its
agenda."""
