"""What a platform author imports to write microtvm_api_server.py."""
