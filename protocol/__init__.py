"""What the client, the server SDK and the conformance kit share: the wire codec and the schema registry."""
