"""The work behind ``moderation serve``: what a news site's comment system calls.

The HTTP layer (``moderation.service``) only parses requests and shapes answers; each
endpoint calls one function here, and these import no web framework:

- ``keys``: API keys (a slow hash stored, never the key), scopes, revocation, a verifier
  with a small bounded cache of verified keys;
- ``comments``: score and store comments through ingest's own path, with the site's action
  policy (``policy``);
- ``feed``: the moderators' decisions in force, as a commit-safe cursor-paged log;
- ``webhooks``: delivery of the decision outbox, signed (``signatures``);
- ``perspective``: Perspective API's ``comments:analyze`` request and response shapes;
- ``coral``: Coral Talk's external moderation phase;
- ``health``: what ``/healthz`` reports.
"""
