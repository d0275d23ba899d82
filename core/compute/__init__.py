"""The compute service: manager, RPC client and API-facing functions."""
