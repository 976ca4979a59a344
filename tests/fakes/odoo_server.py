"""Local Odoo-like server for tests: XML-RPC (/xmlrpc/2) and JSON-2, Odoo 15.0-19.0.

Usage::

    with FakeOdoo(version="17.0") as odoo:          # database "odoo", admin/admin
        odoo.url                                    # http://127.0.0.1:<port>
        odoo.db("odoo").seed("ir.mail_server", {...})
        odoo.count(method="write", model="ir.mail_server")

The implementation lives in the package ``tests/fakes/odoo/`` (exceptions,
schema, domain, orm, behaviour, database, server); this module is the entry
point and the audit trail below lists where each behaviour comes from.

Behaviour and its source in Odoo (repository odoo/odoo)
-------------------------------------------------------
Transport and faults
  * Fault codes 1 (application error, text = traceback), 2 (UserError,
    ValidationError, MissingError, RedirectWarning), 3 (AccessDenied), 4
    (AccessError); checked in this order: RedirectWarning, AccessError,
    AccessDenied, UserError -- ``xmlrpc_handle_exception_int`` in
    odoo/service/wsgi_server.py (15.0), odoo/addons/base/controllers/rpc.py
    (16.0-18.0), addons/rpc/controllers/xmlrpc.py (19.0). Responses are
    marshalled with allow_none=False like Odoo (a None result is a fault 1).
  * ``common``: version/login/authenticate -- odoo/service/common.py (15.0-19.0):
    authenticate catches AccessDenied and returns False; an unknown database
    fails in the registry with psycopg2's ``database "x" does not exist``
    (fault 1). ``db``: list/db_exist/server_version -- odoo/service/db.py.
  * ``object``: execute/execute_kw -- odoo/service/model.py: credentials are
    re-checked on every call (AccessDenied, fault 3 "Access Denied"; API keys
    accepted in place of the password, res_users.py ``_check_credentials``);
    unknown model: UserError "Object x doesn't exist" (fault 2); private
    methods: AccessError "Private methods (such as _x) cannot be called
    remotely." (``check_method_name``, 15.0/16.0) or "Private methods (such as
    'model._x') cannot be called remotely." (``get_public_method``, 17.0+);
    unknown method: AttributeError (fault 1). ``create`` returns an id for a
    dict and a list of ids for a list (odoo/api.py ``call_kw``).
  * ORM errors -- odoo/models.py: "Invalid field 'x' on model 'm'" (ValueError,
    fault 1) on create/write/read, "Invalid field m.x in leaf [...]" on search,
    "Wrong value for m.f: 'v'" for a selection value that does not exist
    (fields.py ``convert_to_cache``), MissingError "Record does not exist or has
    been deleted.\n(Record: m(ids,), User: uid)", active_test filtering.
  * IntegrityError -> ValidationError -- odoo/service/model.py: 15.0 shows the
    constraint message (or psycopg2's text for a unique index); 16.0+
    prefixes "The operation cannot be completed: " (``_as_validation_error``).
  * AccessError text -- odoo/addons/base/models/ir_model.py (ir.model.access
    ``check`` / ``_make_access_error``): "You are not allowed to access 'Mail
    Server' (ir.mail_server) records.\n\nThis operation is allowed for the
    following groups:\n\t- Administration/Settings\n\nContact your
    administrator to request access if necessary."
  * button_immediate_install by a non-admin: ``@assert_log_admin_access``
    raises AccessDenied (fault 3) -- odoo/addons/base/models/ir_module.py.
JSON-2 (19.0 databases only; older versions answer 404 like an unknown route)
  * addons/rpc/controllers/json2.py ``web_json_2_rpc``: 404 unknown model ("the
    model 'x' does not exist") or method, 403 private method (AccessError), 422
    when ``ids`` are given to an @api.model method or the named arguments do
    not bind to the method's signature, result = JSON body (recordsets as ids).
  * odoo/http.py ``Json2Dispatcher.handle_error`` + ``serialize_exception``:
    body {name, message, arguments, context, debug}; UserError subclasses use
    ``http_status`` (UserError/ValidationError 422, AccessError/AccessDenied
    403, MissingError 404); werkzeug errors keep their code; anything else 500.
  * odoo/addons/base/models/ir_http.py ``_auth_method_bearer``: API key only,
    401 "Invalid apikey" / 'User not authenticated, use the "Authorization"
    header' with ``WWW-Authenticate: Bearer``; database from X-Odoo-Database.
  * odoo/exceptions.py (19.0): ``AccessDenied.http_status = 403``.
  * odoo/http.py ``Request._get_session_and_dbname``: without X-Odoo-Database the
    database is only chosen when the server has exactly one; an unknown or
    filtered-out database is served without a registry (``_serve_nodb``), where the
    ``auth='bearer'`` JSON-2 route does not exist: a plain werkzeug 404 (HTML).
  * addons/rpc/controllers/__init__.py: GET /web/version and /json/version ->
    {"version_info": [...], "version": "19.0"} (``auth='none'``, no key needed);
    recorded as Call(transport="http", service="web", method="version").
Models
  * ir.config_parameter -- odoo/addons/base/models/ir_config_parameter.py:
    get_param(key, default=False), set_param(key, value) returns the old value
    or False, False/None deletes; unique key "Key must be unique."; a new
    database holds web.base.url, database.secret/uuid/create_date; 15.0/16.0
    also mail.catchall.alias/mail.bounce.alias/mail.default.from (mail data).
  * ir.mail_server fields -- odoo/addons/base/models/ir_mail_server.py (19.0 adds
    starttls_strict/ssl_strict; 16.0+ adds smtp_authentication 'cli').
  * Outlook fields and constraints -- addons/microsoft_outlook/models/
    microsoft_outlook_mixin.py, ir_mail_server.py, fetchmail_server.py
    (16.0+) and addons/fetchmail_outlook/models/fetchmail_server.py (15.0):
    ir.mail_server password empty / STARTTLS / smtp_user required, names
    quoted with %r on 15.0-16.0 and “%s” on 17.0+; fetchmail 15.0 "only
    supports IMAP server type", password empty, and the 15.0 bug
    ``_('SSL is required .') % server.name`` which raises TypeError (fault 1);
    fetchmail 16.0 "SSL is required for the server 'x'." (%r), 17.0+ "SSL is
    required for server “x”.".
    microsoft_outlook_uri: False unless client id and secret are set; 15.0 only
    for use_microsoft_outlook_service servers, web.base.url;
    16.0-17.0 only for Outlook servers (is_microsoft_outlook_configured);
    endpoint parameter ``microsoft_outlook.endpoint`` on every version (current
    builds: ``_get_microsoft_endpoint``, odoo/odoo#104795 merged on 14.0+ in
    February 2023; 16.0 builds before it read ``microsoft.outlook.endpoint``,
    15.0 builds before it had no parameter); 18.0+ every saved record and scope
    "openid email offline_access https://outlook.office.com/User.read <scope>".
    16.0+: reading it over several records fails with "Expected singleton"
    (``get_base_url``); GET /microsoft_outlook/confirm?code&state stores the tokens
    after checking the state's CSRF token (controllers/main.py); the test buttons
    ``test_smtp_connection`` and ``button_confirm_login`` with Odoo's success and
    error texts, Microsoft's refusals set with ``Database.fail_outlook`` -- see
    tests/fakes/odoo/outlook_flow.py for the sources.
  * fetchmail.server -- addons/fetchmail/models/fetchmail.py (15.0),
    addons/mail/models/fetchmail.py (16.0+): state 'draft' on create.
  * mail.alias.domain and res.company (17.0+) -- addons/mail/models/
    mail_alias_domain.py, res_company.py: alias sanitising, dot-atom name check,
    unique (bounce_alias, name)/(catchall_alias, name), the first domain created
    is linked to every company without one, company.default_from_email related
    to alias_domain_id.default_from_email.
  * Modules -- __manifest__.py of microsoft_outlook / fetchmail_outlook: 15.0
    fetchmail_outlook auto-installs once microsoft_outlook and fetchmail are in;
    19.0 microsoft_outlook (depends on google_gmail) is installed from the start.
Assumptions not verified in Odoo's source (change them here if a real server
disagrees): 18.0 computes microsoft_outlook_uri like 19.0 (every saved record,
openid/email/User.read scope) while keeping is_microsoft_outlook_configured;
AccessError lists the group
as "Administration/Settings" and plain users may only read ir.module.module,
ir.model.data, res.users, res.company and mail.alias.domain;
``_sanitize_alias_name`` is approximated; mail.mail failure_type values and
res.users.outgoing_mail_server_type labels are partial; psycopg2's "connection
to server ... failed:" prefix depends on the libpq version. Real
Odoo serves one version per server; here each database may have its own (the
``common.version()`` answer is the server's version).
"""

from __future__ import annotations

from tests.fakes.odoo import (
    ADMIN_UID,
    ALL_VERSIONS,
    DEFAULT_ADMIN_API_KEY,
    DEFAULT_DEMO_API_KEY,
    DEMO_UID,
    SUPERUSER_UID,
    AccessDenied,
    AccessError,
    Call,
    Database,
    FakeOdoo,
    MissingError,
    RedirectWarning,
    UserError,
    ValidationError,
)

__all__ = [
    "ADMIN_UID",
    "ALL_VERSIONS",
    "DEFAULT_ADMIN_API_KEY",
    "DEFAULT_DEMO_API_KEY",
    "DEMO_UID",
    "SUPERUSER_UID",
    "AccessDenied",
    "AccessError",
    "Call",
    "Database",
    "FakeOdoo",
    "MissingError",
    "RedirectWarning",
    "UserError",
    "ValidationError",
]
