"""The specification's JSON Schema files, shipped as package data; read them through protocol.registry."""
