"""An accounting adapter module that fails while importing, for the registry's tests."""

1 / 0
