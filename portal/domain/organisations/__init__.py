"""Businesses (organisations) that apply for G2B services through their members.

Plain Python called by the web layer (`portal.web.accounts.business`): no request objects here.
Data goes through `portal.data.organisations` and `portal.data.people`; the caller commits.
"""
