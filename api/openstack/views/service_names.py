"""Service names as the Compute API gives them: Nova's."""


def nova_binary(binary):
    """The name Nova gives a service (``nimbus-compute`` is
    ``nova-compute`` in this dialect: clients and scripts filter on it)."""
    if binary and binary.startswith("nimbus-"):
        return "nova-" + binary[len("nimbus-"):]
    return binary


def nimbus_binary(binary):
    """The service a client names, by Nova's name or nimbus's own."""
    if binary and binary.startswith("nova-"):
        return "nimbus-" + binary[len("nova-"):]
    return binary
