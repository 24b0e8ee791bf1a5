"""HTTP routes other than /graphql: health, downloads, the bank callback, the Telegram webhook."""
