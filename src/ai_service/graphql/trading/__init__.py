"""GraphQL for trading: market data, strategies, backtests, optimisations and signals."""
