"""A second, independent implementation of the SVX and Transmit APIs.

Written from specs/*.yaml and the READMEs only (no mockserver, orgkit or contract_tests code), so
the contract suite can be proven against an implementation that differs from our mock wherever
the specs allow it. See README.md beside this file.
"""
