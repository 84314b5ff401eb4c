"""Local running and testing aids (not part of the Lambda bundle)."""
