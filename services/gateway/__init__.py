"""The gateway: the one origin (proxy to the services), home and role worklists, the province view."""
