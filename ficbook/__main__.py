"""`python -m ficbook` runs the command line."""

from .cli import main

main()
