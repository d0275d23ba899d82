"""Volume plugins: drivers (``nimbus.volumes``) and export targets
(``nimbus.volumes.targets``); see :mod:`nimbus.core.interfaces.volume`."""
