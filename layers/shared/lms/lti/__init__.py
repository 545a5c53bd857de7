"""LTI 1.3 Advantage platform: tool registrations, platform keys, launches."""
