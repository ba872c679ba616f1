"""Read models: JSON documents kept up to date from a service's own notification log."""
