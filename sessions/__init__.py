"""Sessions as files: `microtvm-project record` relays any client's session with a platform into a transcript
(schema/transcript.json), and `microtvm-project replay` sends a transcript's requests to a server and reports the
first reply that differs under the rules of `sessions.equivalence`."""
