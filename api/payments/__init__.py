"""The service's side of payments: it only talks to the providers; the database holds every money state.

    db         calls of the payments SQL functions through the RPC pipeline (the caller's role, or service_role)
    stripe     outgoing Stripe calls (stripe-python, pointed at TESSERA_STRIPE_API_BASE)
    moyasar    outgoing Moyasar calls (httpx, HTTP Basic, pointed at TESSERA_MOYASAR_API_BASE)
    checkout   POST /payments/checkout
    worker     what the database asks the service to do at a provider: refunds, expiring checkouts; the
               background refund executor (LISTEN tessera_refunds + a periodic sweep)
    reconcile  one pass over what webhooks may have missed (`tessera payments reconcile`, and the worker's sweep)
"""
