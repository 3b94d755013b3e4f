"""Applications: starting, saving, submitting and following them (domain code, no web)."""
