"""The package root logger: a ``NullHandler`` only, applications configure the rest."""

from __future__ import annotations

import logging

ROOT_LOGGER_NAME = "synthohive"

logging.getLogger(ROOT_LOGGER_NAME).addHandler(logging.NullHandler())
