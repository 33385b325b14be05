"""The HTTP API (HubSpot-compatible, to come) and its app factory."""
