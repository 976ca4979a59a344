"""Read the live Entra ID side through Microsoft Graph (msgraph-sdk + azure-identity).

Exports what the doctor and its tests import; everything else is imported from the module
that defines it (`client.py`, `errors.py`, `models.py`, `permissions.py`, `reads.py`).
"""

from .client import (
    DEFAULT_GRAPH_URL,
    GRAPH_URL_ENV,
    GraphSettings,
    default_credential,
    open_graph,
)
from .errors import GraphAccessError, GraphFailure, Permission
from .models import (
    DEFAULT_ACCESS_ROLE_ID,
    GRAPH_APP_ID,
    Application,
    AppManagementPolicy,
    AppRoleAssignment,
    AuthorizationPolicy,
    CredentialRestriction,
    DelegatedGrant,
    DirectoryObjectRef,
    PasswordCredential,
    PermissionClassification,
    ServicePrincipal,
)
from .reads import (
    get_application,
    get_authorization_policy,
    get_default_app_management_policy,
    get_service_principal,
    list_app_management_policies,
    list_app_role_assignments,
    list_application_owners,
    list_delegated_grants,
    list_permission_classifications,
    resolve_group,
    resolve_user,
)

__all__ = [
    "DEFAULT_ACCESS_ROLE_ID",
    "DEFAULT_GRAPH_URL",
    "GRAPH_APP_ID",
    "GRAPH_URL_ENV",
    "AppManagementPolicy",
    "AppRoleAssignment",
    "Application",
    "AuthorizationPolicy",
    "CredentialRestriction",
    "DelegatedGrant",
    "DirectoryObjectRef",
    "GraphAccessError",
    "GraphFailure",
    "GraphSettings",
    "PasswordCredential",
    "Permission",
    "PermissionClassification",
    "ServicePrincipal",
    "default_credential",
    "get_application",
    "get_authorization_policy",
    "get_default_app_management_policy",
    "get_service_principal",
    "list_app_management_policies",
    "list_app_role_assignments",
    "list_application_owners",
    "list_delegated_grants",
    "list_permission_classifications",
    "open_graph",
    "resolve_group",
    "resolve_user",
]
