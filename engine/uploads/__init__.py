"""Uploads (core): files people bring, received in one request or resumably, then stored."""
