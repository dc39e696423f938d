"""Pure ABC(D) analysis of a client base: reading files, normalising them, classifying clients."""
