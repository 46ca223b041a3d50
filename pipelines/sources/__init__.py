"""Source adapters: how each publication of the index is requested and read."""
