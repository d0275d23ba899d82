"""Test kits that plugin repositories can reuse (conformance suites)."""
