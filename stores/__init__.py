"""Stores Rasa uses, with fixes the cluster profile needs (endpoints.yml names them)."""
