"""Encrypted store (SQLCipher), accounts and roles, audit log, encrypted audio journal."""
