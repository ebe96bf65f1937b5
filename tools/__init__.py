"""Developer tooling that is not shipped in the wheel (see ``tools/email_checks``)."""
