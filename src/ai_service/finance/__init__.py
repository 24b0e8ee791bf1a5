"""Money: accounts, transactions, bank sync and imports."""
