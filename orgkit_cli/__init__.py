"""The `orgkit` command: wiring above orgkit, mockserver, contract_tests and fixtures."""
