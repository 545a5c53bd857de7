"""Roster imports: many invitations in one request, processed in the background by the import worker."""
