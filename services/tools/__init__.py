"""Tools around the product: the command line (shishi), the demo loader, the benchmarks and the offline audit
commands. They reach the services only through their public entry points (each service's main.py)."""
