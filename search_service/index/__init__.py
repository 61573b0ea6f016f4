"""Step 3, the only package that opens Whoosh storage: schema, versions, writer, reader."""
