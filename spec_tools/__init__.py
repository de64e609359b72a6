"""Spec review tooling: reference docs, OpenRPC export, breaking-change diff, transcript checks."""
