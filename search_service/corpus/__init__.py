"""Step 1, a corpus folder -> Reviews: pages, report PDFs, the manifest, enrichment (pure: no Flask, no Whoosh)."""
