"""The benchmark suite (`make bench`): our client and server against the floors, in one run on one machine."""
