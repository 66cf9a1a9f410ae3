"""Delivery to 信用湛江: the outbox (queued versions), the ledger (batches written before they are sent),
push and settle. Exactly once, whatever fails:

- A version is claimed into a batch by a conditional UPDATE (`push_state='queued'` → `'batched'`, checked
  by RETURNING / rowcount; `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL) in the same transaction that
  writes the Batch and its BatchItems (with the exact records to send); that commits BEFORE anything is
  sent. A version is in at most one batch ever (unique `batch_item.version_id`), so two pushes at once
  cannot send one record in two batches.
- A batch that was written but not settled (the process died, the answer was lost, the platform was down)
  is settled first on the next push: GET its receipt; 404 means it never arrived, so the same batch id is
  POSTed again with the same stored records. The platform never processes one batch id twice.
- Retries of transient failures live in the transport; a batch that still fails stays in the ledger
  unsettled, reported in the PushSummary (no exception). So does a batch whose answer is outside the
  contract (a redirect, an unreadable or oversized receipt: UnexpectedAnswer) or whose exchange failed in a
  way nobody foresaw: it is settled by GET on a later push, its records are never rejected for it. A final
  4xx rejects the batch's records; 401 AUTH_FAILED stops the push (AuthError) and leaves the records queued.

The functions take a Session (queue_valid, revoke, platform_rejections; the caller commits, e.g. with
`credit.store.session_scope`) or a database URL (push: it commits in short transactions of its own).

Rooms: `outbox` (queue_valid), `revocation` (revoke), `ledger` (claim, release, fail and settle batches),
`sending` (push, through a `credit.platform` transport), `summary` (PushSummary), `rejections` (the
platform's rejections as feedback items), `tables` (what they share).
"""

from credit.delivery.outbox import queue_valid
from credit.delivery.rejections import platform_rejections
from credit.delivery.revocation import IDENTITY_KEYS, RevokeError, revoke
from credit.delivery.sending import push
from credit.delivery.summary import PushSummary

__all__ = [
    "IDENTITY_KEYS",
    "PushSummary",
    "RevokeError",
    "platform_rejections",
    "push",
    "queue_valid",
    "revoke",
]
