"""nimbus-network: IPAM, ports, security groups, floating IPs.

:mod:`~nimbus.core.network.api` is the service API the dialects call,
:mod:`~nimbus.core.network.rpcapi` the client of the nimbus-network
service whose :mod:`~nimbus.core.network.manager` drives the network
plugin's gateway side; :mod:`~nimbus.core.network.model` turns the VIF
dicts nimbus ships to computes into the plugin contract's specs.
"""
