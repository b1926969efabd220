"""The cleaned OpenAPI documents, shipped as package data (see specs/README.md)."""
