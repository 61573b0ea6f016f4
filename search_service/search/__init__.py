"""Step 4, a request -> a result dict: parse, execute, rank, facets, suggest, highlight."""
