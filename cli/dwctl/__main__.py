"""``python -m dwctl``: the same as the ``dwctl`` command."""

import sys

from .main import main

sys.exit(main())
