"""Operations: backups and restores, the production configuration check."""
