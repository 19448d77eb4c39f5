"""Every article number the service prints is checked against a copy of the text (decision 0014)."""
