"""Administrator passwords Nova gives back when a request names none
(server create, rebuild, rescue, evacuate)."""

import secrets

#: Nova's alphabet: letters and digits without the look-alikes
#: (``0/O``, ``1/l/I``).
_SYMBOLS = ("23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
LENGTH = 12


def generate(length=LENGTH):
    """A random password of ``length`` symbols."""
    return "".join(secrets.choice(_SYMBOLS) for _ in range(length))
