"""An in-process provider for tests: records what it is asked to do and fails on request."""
