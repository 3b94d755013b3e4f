"""Form fields and validators shared by every form of the portal, with Khmer-aware parsing.

For example `contact` reads an email address or a Cambodian mobile number and `password` applies
the password policy to a new password. Messages are lazy, so they appear in the language of the page.
"""
