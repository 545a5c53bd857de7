"""The notifications context: what happened becomes an inbox entry (and, by preference, an e-mail)."""
