"""Pydantic v2 models generated from schema/ by make generate; never edited by hand."""
