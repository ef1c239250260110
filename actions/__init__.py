"""Custom actions: thin Rasa adapters (*_action.py) over plain answer logic tested without Rasa."""
