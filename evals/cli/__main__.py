"""`python -m evals.cli` runs the riskboard command line."""

from evals.cli import main

main()
