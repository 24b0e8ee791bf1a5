"""Finance: accounts, transactions, imports, categories, rules, clients and metrics."""
