"""``python -m sknn_cn``: the tour of the chapter (see :mod:`sknn_cn.tour`)."""

import sys

from .tour import main

if __name__ == "__main__":
    sys.exit(main())
