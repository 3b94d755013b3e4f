"""Who someone is: registration, signing in (password, then TOTP for staff), throttling of
failed attempts, and password reset links.

Plain Python called by the web layer: no request objects here. Data goes through
`portal.data.people`; the caller commits.
"""
