"""Privacy by default: personal and identifier-like values never reach a model (PRIV-01/02/03).

:func:`detect_pii` proposes a kind for every sensitive column (from values and names, with
the evidence, as a plain dict the user can edit); :class:`PrivacyConfig` says what to do
with them (``fake``, ``hash``, ``mask``, ``drop`` or ``keep``); :class:`PIISanitizer`
replaces the values. Every model's ``fit`` and ``RelationalSynthesizer.fit`` run the
sanitizer first, with ``PrivacyConfig()`` when none is given. See ``doc/privacy.md``.
"""

from synthohive.privacy._config import SECRET_ENV, STRATEGIES, PrivacyConfig
from synthohive.privacy._detect import IDENTIFIER, KINDS, PERSONAL_KINDS, detect_pii
from synthohive.privacy._sanitizer import PIISanitizer

__all__ = [
    "IDENTIFIER",
    "KINDS",
    "PERSONAL_KINDS",
    "SECRET_ENV",
    "STRATEGIES",
    "PIISanitizer",
    "PrivacyConfig",
    "detect_pii",
]
