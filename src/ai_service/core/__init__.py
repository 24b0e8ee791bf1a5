"""Cross-cutting building blocks: database, cache, jobs, security, logging, HTTP plumbing."""
