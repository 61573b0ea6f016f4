"""Step 2, text -> terms: the analyzer chains, word shingles and the vocabulary (picklable)."""
