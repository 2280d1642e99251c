"""``python -m motrixlab`` runs the CLI."""

from motrixlab.cli.app import main

main()
