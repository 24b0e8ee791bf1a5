"""Tags: one shared, hierarchical, coloured vocabulary per user for transactions, clients and
documents alike."""
