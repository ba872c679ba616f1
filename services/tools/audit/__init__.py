"""The offline audit commands (verify, replay, export, restore, public-key) over the services' stores."""
