"""Chalice blueprints: parse and validate, call one service function, shape the answer."""
