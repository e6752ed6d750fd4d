"""What every HTTP client of Mobius shares, whichever system it talks to: exact JSON for money
(:mod:`.json`) and when to repeat a request (:mod:`.retry`). Imports nothing else of Mobius, so
manage/ and accounting/ may both use it."""
