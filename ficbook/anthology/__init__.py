"""Anthologies: the anthology.toml spec, assembly into a Book, serial parts, the scaffold."""
