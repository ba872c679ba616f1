"""Secret ballots (无记名投票), reusable by any service: decision's vote on candidate projects,
evaluation's anonymous satisfaction rating (满意/基本满意/不满意).

The design separates "who may vote" from "what was voted":

* ``tokens``: a one-time ballot token is a random value sealed with a MAC under a key that
  is derived from the service's secret and the scope (a session). Handing it out records
  only "deputy X received a ballot"; the token itself is never stored, so nothing links it
  to the deputy. A cast spends the token: the box stores only its receipt code (a one-way
  hash of the token and the box), which also refuses a second cast with the same token.
* ``box``: the :class:`BallotBox` aggregate. Its ``Cast`` events carry the receipt and the
  marks and never a deputy id (the box refuses any actor but the anonymous one). Ballots are
  published only when the box closes, in an order unrelated to the order of casting.
  Paper mode: tellers enter per-box counts, a second, different teller confirms each box.
* ``tally``: pure counting, recounting from the published list, reconciliation of ballots
  issued / cast (electronic) and issued / returned / valid / invalid (paper).
"""
