"""Example nimbus plugins, shipped as their own distribution.

A template for vendors: :mod:`nimbus_example.hypervisor` and
:mod:`nimbus_example.filters` import only nimbus's public surface
(``nimbus.core.interfaces``, ``nimbus.core.exception``) and are enabled
by configuration alone.
"""
