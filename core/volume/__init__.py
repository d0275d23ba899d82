"""The volume service: service API, RPC client, manager, scheduler step."""
