"""sandbox/manage."""
