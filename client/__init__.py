"""The typed client a compiler uses to drive a Project API server."""
