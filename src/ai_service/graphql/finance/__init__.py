"""GraphQL for finance: accounts, transactions, rules, clients, metrics and bank connections."""
