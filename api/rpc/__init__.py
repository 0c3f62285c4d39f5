"""The RPC pipeline: one HTTP request in, one database transaction, one response out, as PostgREST does it.

    request → schema (profile headers) → caller (JWT / apikey) → rate limit → shaping (select, filters, order,
              range, count; only when asked for) → arguments → function (overloads)
            → one round trip, one transaction (libpq's pipeline mode, one Sync): the settings, then the call
              (shaped inside the same statement, which also reads the response settings), each a statement
              prepared once per connection (unnamed behind PgBouncer: TESSERA_DB_POOLER=transaction)
            → the body as the database rendered it (json_agg, or CSV), status and headers (Content-Range)

The database renders the JSON (json_agg over the call), so a result passes through Python as one byte string. Every
request sets every request setting, so nothing said on one request is seen by the next on a pooled connection.

One module per stage, as PostgREST's own source has them:
    request    what the request asks: schema, media type, arguments, request settings    (ApiRequest)
    query      the result shaping it asks for, parsed into a tree                        (QueryParams)
    plan       which function, in which access mode                                      (Plan)
    statement  the SQL text, cached per shape                                            (QueryBuilder, SqlFragment)
    wire       the libpq loop: one round trip, statements prepared once per connection   (MainTx)
    response   status, headers and body, after the function's response settings         (Response)
    pipeline   the stages in order for one request                                       (App)
The runtime state they share (pool, schema cache, database up or down) is `api.state.State`.
"""

from api.rpc.pipeline import Pipeline
from api.rpc.request import Call
from api.rpc.response import Result
from api.rpc.statement import literal

__all__ = ["Call", "Pipeline", "Result", "literal"]
