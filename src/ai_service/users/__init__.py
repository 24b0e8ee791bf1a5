"""Users, sessions and authentication."""
