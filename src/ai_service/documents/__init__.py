"""Documents: upload, text extraction, hybrid (vector + keyword) search, AI analysis and Q&A."""
