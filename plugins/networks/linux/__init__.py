"""The ``flat``, ``flatdhcp`` and ``vlan`` network plugins on real Linux
networking: Open vSwitch (userspace ``netdev`` datapath) or Linux bridges
for layer 2, one gateway network namespace per host for DHCP, NAT and
metadata forwarding. See ``docs/networking.md``."""
