"""Test plugin for MotrixLab's own tests."""
