"""Catalog domain rules (pure): organization types and profiles, status machines, catalog versions."""
