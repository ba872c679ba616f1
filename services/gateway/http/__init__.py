"""The gateway's pages: home, login, the province view."""
