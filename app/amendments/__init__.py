"""Amendments domain."""
