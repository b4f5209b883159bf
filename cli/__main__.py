"""``python -m cli``: the same as the ``cost-drift`` console script."""

import sys

from cli.main import main

sys.exit(main())
