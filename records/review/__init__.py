"""Review and litigation: reading what an agency withheld (exemption citations, bad redactions)."""
