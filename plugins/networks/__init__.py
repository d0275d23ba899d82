"""Network plugins (``nimbus.networks``): see
:mod:`nimbus.core.interfaces.network`."""
