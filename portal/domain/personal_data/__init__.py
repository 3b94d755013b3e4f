"""A person's own data (issue 18, docs/retention.md): the "download my data" archive (`archive`, `exports`)
and closing an account (`closing`)."""
