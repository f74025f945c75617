"""The import pipeline's pure parts: what a target is, reading files, types, column suggestions."""
