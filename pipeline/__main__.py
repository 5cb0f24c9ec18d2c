"""`python -m pipeline` is `equity`."""

from pipeline.cli import main

main()
