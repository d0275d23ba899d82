"""nimbus with ``auth_strategy = keystone`` against a real Keystone."""
