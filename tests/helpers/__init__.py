"""Helpers the tests share: sample digests, real SMTP servers, an in-memory library, GUI waits."""
