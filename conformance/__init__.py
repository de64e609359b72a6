"""The conformance kit: judges any Project API server against the spec, over the wire only."""
