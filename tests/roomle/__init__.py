"""Roomle Tenant API tests."""
