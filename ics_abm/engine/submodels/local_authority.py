"""7.14 Local-authority engagement and political pressure.

A council's engagement (absent, partner, full member, lead) follows its trust in the partners less
the political pressure on it, through thresholds; political pressure returns towards its baseline.
"""

from __future__ import annotations

from numba import prange

from ics_abm.engine.jit import inline

__all__ = ["update_engagement"]

_LOCAL_AUTHORITY = 4  # index of "local_authority" in ics_abm.scenario.kinds.KINDS


@inline
def update_engagement(orgs, params, ws):
    """7.14 (phase 10): political pressure and, when engagement is dynamic, the engagement state.

    Reads the trust after phase 5 (``ws.trust_sum / ws.live``); writes ``orgs.political`` and
    ``orgs.engagement`` of active local authorities. A leading council stays lead while the score
    holds and becomes a partner otherwise.
    """
    active = orgs.active
    kind = orgs.kind
    political = orgs.political
    engagement = orgs.engagement
    w_trust_sum = ws.trust_sum
    w_live = ws.live
    for i in prange(active.shape[0]):
        if active[i] != 1.0 or kind[i] != _LOCAL_AUTHORITY:
            continue
        live = w_live[i]
        mean_trust = w_trust_sum[i] / live if live > 0.0 else 0.0
        pressure = political[i] + params.political_decay * (params.political_baseline - political[i])
        political[i] = pressure
        if params.la_dynamic:
            score = mean_trust - params.political_weight * pressure
            if engagement[i] == 3.0:
                engagement[i] = 3.0 if score >= params.partner_threshold else 1.0
            elif score < params.absent_threshold:
                engagement[i] = 0.0
            elif score < params.full_threshold:
                engagement[i] = 1.0
            else:
                engagement[i] = 2.0
