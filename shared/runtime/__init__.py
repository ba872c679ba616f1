"""What runs beside a service's HTTP routes: the runtime, its companion process, the journal."""
