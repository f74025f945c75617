"""Uploads (core): the table, the storage adapter, and the queries and actions over them."""
