"""A plain JSON-RPC client and server written only to the wire facts, no validation: what "no SDK" costs."""
