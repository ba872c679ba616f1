"""What the gateway reads from the services' public APIs (the province view's figures)."""
