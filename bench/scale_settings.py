"""Settings of the app as ``bench/scale.py`` serves it: production settings (from the
environment, as ever) plus one trivial view, the floor every page is compared with."""

from golab.settings import *  # noqa: F403

ROOT_URLCONF = "scale_urls"
