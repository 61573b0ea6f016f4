"""Step 5, HTTP only (never imports Whoosh): routes, URL state, security, the JSON API."""
