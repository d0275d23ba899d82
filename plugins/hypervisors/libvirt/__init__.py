"""The libvirt hypervisor plugin: KVM, QEMU (TCG) and Xen guests."""
