"""Input, read and cleaned: bytes of any supported file to transactions the models start from.

Nothing here imports a model (abc, customers, result): the arrow points the other way.
"""
