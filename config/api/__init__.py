"""API plumbing every app shares: errors, pagination, throttles, permissions."""
