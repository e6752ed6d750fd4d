"""What every HTTP client of Mobius shares, whichever system it talks to: exact JSON for money
(:mod:`.json`), when to repeat a request (:mod:`.retry`), how a write without an idempotency key
is sent at most once (:mod:`.writes`) and which failures are temporary or a refused certificate
(:mod:`.errors`). Imports nothing else of Mobius, so manage/ and accounting/ may both use it."""
