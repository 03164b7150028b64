"""The command line: thin adapters over the services."""
