"""The GraphQL layer: schema assembly, context, limits and error handling. Thin over services."""
