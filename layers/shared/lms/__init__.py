"""The shared layer of the LMS backend: domain, persistence, events, auth and errors."""
