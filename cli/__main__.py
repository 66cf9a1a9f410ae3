"""`python -m cli …`, the same as the `credit` command."""

import sys

from cli.main import main

sys.exit(main())
