"""``python -m sipfast``: the same command line as ``sipfast``."""

from .cli import main

raise SystemExit(main())
