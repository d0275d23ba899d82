"""Administrator passwords Nova gives back when a request names none
(server create, rebuild, rescue, evacuate)."""

import secrets

#: Nova's alphabet: letters and digits without the look-alikes
#: (``0/O``, ``1/l/I``).
_SYMBOLS = ("23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
LENGTH = 12
#: bytes below this map evenly onto the symbols (a multiple of their
#: number); the rest are drawn again
_EVEN_BELOW = 256 - 256 % len(_SYMBOLS)


def generate(length=LENGTH):
    """A random password of ``length`` symbols, each drawn uniformly.

    One read of the system's random source for the lot (most of the
    time), not one per symbol as ``secrets.choice`` would: 2 µs a
    password instead of 15.
    """
    symbols = []
    while len(symbols) < length:
        symbols += [_SYMBOLS[byte % len(_SYMBOLS)]
                    for byte in secrets.token_bytes(2 * length)
                    if byte < _EVEN_BELOW]
    return "".join(symbols[:length])
