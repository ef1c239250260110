"""The assistant's own input channels: Rasa's REST and socket.io channels with the rules every message
passes (channels/guard.py) and a reply for every turn (channels/turns.py)."""
