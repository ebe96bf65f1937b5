"""Data shipped with the core: the sample library and the email-client support table."""
