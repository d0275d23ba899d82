"""The conductor: database proxy for computes and the build workflows."""
