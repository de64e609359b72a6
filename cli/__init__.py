"""The `microtvm-project` command line: a thin layer over the client, the conformance kit and the spec tools."""
